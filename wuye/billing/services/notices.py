"""催缴通知单: demand notices per unit with its open bills, as one PDF for a batch of units."""

from __future__ import annotations

import datetime

from django.utils import timezone
from reportlab.platypus import PageBreak

from wuye.billing.services.dunning import open_bills
from wuye.billing.services.latefees import late_fees_for
from wuye.core.money import ZERO, rmb_upper
from wuye.core.pdf import Paragraph, Spacer, mm, render, styles, table


def notice_flowables(unit, bills, fees, as_of: datetime.date, project, payer_name: str):
    s = styles()
    out = [
        Paragraph(f"{project.name} 物业费催缴通知单", s["title"]),
        Paragraph(f"尊敬的 {payer_name or '业主/住户'}（房屋 {unit.code}）：", s["body"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "截至 {d}，您的以下费用尚未缴纳。请于收到本通知后尽快到物业服务中心或通过线上渠道缴纳。"
            "如对账单有疑问，请与我们联系核对。".format(d=as_of.strftime("%Y年%m月%d日")),
            s["body"],
        ),
        Spacer(1, 3 * mm),
    ]
    rows = [["账单号", "收费项目", "所属期间", "应缴日期", "未缴金额", "违约金"]]
    total = ZERO
    for bill in bills:
        fee = fees.get(bill.pk, ZERO)
        total += bill.outstanding + fee
        rows.append(
            [
                bill.number,
                bill.item.name,
                bill.period_label,
                bill.due_date.isoformat(),
                f"{bill.outstanding:.2f}",
                f"{fee:.2f}",
            ]
        )
    rows.append(["合计", "", "", "", "", f"{total:.2f}"])
    out.append(table(rows, [34 * mm, 32 * mm, 32 * mm, 26 * mm, 28 * mm, 28 * mm], align_right_from=4))
    out += [
        Spacer(1, 3 * mm),
        Paragraph(f"合计应缴（人民币大写）：{rmb_upper(total)}　（¥{total:.2f}）", s["body"]),
        Spacer(1, 2 * mm),
        Paragraph(
            "违约金按合同约定计算，截至上述日期；缴清本金后停止计算。催缴不影响水、电、气、暖的正常供应。",
            s["small"],
        ),
        Spacer(1, 6 * mm),
        Paragraph(f"{project.name} 物业服务中心　　服务电话：{project.service_phone or '—'}", s["right"]),
        Paragraph(as_of.strftime("%Y年%m月%d日"), s["right"]),
        Spacer(1, 10 * mm),
        Paragraph(
            "- - - - - - - - - - - - - - - - 签收回执（请沿虚线剪下交回）- - - - - - - - - - - - - - - -",
            s["small"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(f"房屋 {unit.code}　通知金额 ¥{total:.2f}　　本人已收到上述催缴通知。", s["body"]),
        Spacer(1, 6 * mm),
        Paragraph("签收人：______________　　日期：________年____月____日", s["body"]),
    ]
    return out, total


def demand_notices_pdf(units, project, as_of: datetime.date | None = None) -> tuple[bytes, int]:
    """One page per unit that has overdue bills; returns (pdf bytes, number of notices)."""
    as_of = as_of or timezone.localdate()
    flowables, count = [], 0
    for unit in units:
        bills = list(open_bills(unit, as_of).select_related("item", "standard__late_fee_rule"))
        if not bills:
            continue
        fees = late_fees_for(bills, as_of)
        payer = bills[0].payer_name
        if count:
            flowables.append(PageBreak())
        page, _total = notice_flowables(unit, bills, fees, as_of, project, payer)
        flowables += page
        count += 1
    if not count:
        return b"", 0
    return render(flowables, title=f"{project.name} 催缴通知单"), count


def notices_job(ctx, *, project_id, unit_ids, as_of, user_id=None):
    """Job body: a batch of demand notices as one PDF for download."""
    from wuye.estate.models import Project, Unit

    project = Project.objects.get(pk=project_id)
    units = list(Unit.objects.filter(pk__in=unit_ids, project=project).order_by("code"))
    ctx.progress(10, 100, "")
    pdf, count = demand_notices_pdf(units, project, datetime.date.fromisoformat(as_of))
    if count:
        ctx.save_output(f"demand-notices-{as_of}.pdf", pdf)
    return {"notices": count}

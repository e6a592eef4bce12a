"""An owner's statement (对账单) for one unit over a date range: charges, reductions, payments and the
running balance, the late fees, the open bills and the prepaid balance; as data, and as a PDF.

Dates: a charge counts on the first day of the period it bills, a reduction on the day it was
granted, a payment on its business day. Voided bills are left out (they were never owed). The
balance is the charge still owed; late fees are shown apart, as of the last day of the range.
"""

from __future__ import annotations

import datetime
import io
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from wuye.billing.choices import AdjustmentKindChoices, AllocationKindChoices, BillStatusChoices
from wuye.billing.models import Bill, BillAdjustment, PaymentAllocation, PrepaidAccount
from wuye.billing.services.latefees import late_fee_for
from wuye.core.money import ZERO, rmb_upper


@dataclass
class Line:
    date: datetime.date
    kind: str  # charge, reduction, payment
    ref: str
    text: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO
    late_fee: Decimal = ZERO
    bill: Bill | None = None


@dataclass
class Statement:
    unit: object
    date_from: datetime.date
    date_to: datetime.date
    opening: Decimal = ZERO
    lines: list[Line] = field(default_factory=list)
    charged: Decimal = ZERO
    reduced: Decimal = ZERO
    paid: Decimal = ZERO
    late_fee_paid: Decimal = ZERO
    late_fee_waived: Decimal = ZERO
    open_bills: list[tuple] = field(default_factory=list)  # (bill, outstanding, late fee)
    prepaid: list = field(default_factory=list)
    payers: list[str] = field(default_factory=list)
    generated_at: datetime.datetime | None = None

    @property
    def closing(self) -> Decimal:
        return self.opening + self.charged - self.reduced - self.paid

    @property
    def credited(self) -> Decimal:
        return self.paid + self.reduced

    @property
    def late_fee_due(self) -> Decimal:
        return sum((fee for _b, _o, fee in self.open_bills), ZERO)

    @property
    def open_total(self) -> Decimal:
        return sum((o for _b, o, _f in self.open_bills), ZERO)

    @property
    def due_total(self) -> Decimal:
        return self.open_total + self.late_fee_due

    @property
    def prepaid_total(self) -> Decimal:
        return sum((a.balance for a in self.prepaid), ZERO)

    @property
    def closing_upper(self) -> str:
        return rmb_upper(self.closing)


def build_statement(unit, date_from: datetime.date, date_to: datetime.date) -> Statement:
    """The statement of ``unit`` (the caller checked the user may see its bills)."""
    st = Statement(unit=unit, date_from=date_from, date_to=date_to, generated_at=timezone.now())
    bills = list(
        Bill.objects.filter(unit=unit)
        .exclude(status=BillStatusChoices.VOIDED)
        .select_related("item", "standard__late_fee_rule")
        .order_by("period_start", "pk")
    )
    by_id = {b.pk: b for b in bills}
    adjustments = list(BillAdjustment.objects.filter(bill_id__in=list(by_id)).order_by("created_at", "pk"))
    allocations = list(
        PaymentAllocation.objects.filter(bill_id__in=list(by_id))
        .select_related("payment")
        .order_by("payment__business_date", "payment_id", "pk")
    )
    payments_by_bill = defaultdict(list)  # principal paid per bill: (date, amount), for late fees
    reductions_by_bill = defaultdict(list)
    for bill in bills:
        if bill.period_start < date_from:
            st.opening += bill.amount
        elif bill.period_start <= date_to:
            st.charged += bill.amount
            st.lines.append(
                Line(
                    bill.period_start,
                    "charge",
                    bill.number,
                    f"{bill.item.name} {bill.period_label}",
                    debit=bill.amount,
                    bill=bill,
                )
            )
        if bill.payer_name and bill.payer_name not in st.payers:
            st.payers.append(bill.payer_name)
    for adj in adjustments:
        day = timezone.localdate(adj.created_at)
        bill = by_id[adj.bill_id]
        if adj.kind == AdjustmentKindChoices.LATE_FEE_WAIVER:
            if date_from <= day <= date_to:
                st.late_fee_waived += adj.amount
            continue
        reductions_by_bill[bill.pk].append((day, adj.amount))
        if day < date_from:
            st.opening -= adj.amount
        elif day <= date_to:
            st.reduced += adj.amount
            st.lines.append(
                Line(
                    day,
                    "reduction",
                    bill.number,
                    f"{adj.get_kind_display()}: {adj.reason}",
                    credit=adj.amount,
                )
            )
    per_payment: dict[int, Line] = {}
    for alloc in allocations:
        payment = alloc.payment
        day = payment.business_date
        if alloc.kind == AllocationKindChoices.PRINCIPAL:
            payments_by_bill[alloc.bill_id].append((day, alloc.amount))
        if day < date_from:
            if alloc.kind == AllocationKindChoices.PRINCIPAL:
                st.opening -= alloc.amount
            continue
        if day > date_to:
            continue
        line = per_payment.get(payment.pk)
        if line is None:
            text = _("Reversal") if payment.amount < 0 else _("Payment")
            line = per_payment[payment.pk] = Line(day, "payment", payment.number, text)
            st.lines.append(line)
        if alloc.kind == AllocationKindChoices.PRINCIPAL:
            line.credit += alloc.amount
            st.paid += alloc.amount
        else:
            line.late_fee += alloc.amount
            st.late_fee_paid += alloc.amount
    order = {"charge": 0, "reduction": 1, "payment": 2}
    st.lines.sort(key=lambda line: (line.date, order[line.kind], line.ref))
    balance = st.opening
    for line in st.lines:
        balance += line.debit - line.credit
        line.balance = balance
    for bill in bills:
        if bill.period_start > date_to:
            continue
        owed = (
            bill.amount
            - sum((a for d, a in reductions_by_bill[bill.pk] if d <= date_to), ZERO)
            - sum((a for d, a in payments_by_bill[bill.pk] if d <= date_to), ZERO)
        )
        fee = late_fee_for(bill, date_to, payments=[p for p in payments_by_bill[bill.pk] if p[0] <= date_to])
        if owed > 0 or fee > 0:
            st.open_bills.append((bill, max(owed, ZERO), fee))
    st.prepaid = list(PrepaidAccount.objects.filter(unit=unit).select_related("item").order_by("item_id"))
    return st


# -- PDF ----------------------------------------------------------------------------------------------
FONT = "STSong-Light"


def _font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def _m(value) -> str:
    return f"{value:,.2f}" if value else ""


def statement_pdf(st: Statement, project_name: str = "") -> bytes:
    """The statement as an A4 PDF (ReportLab, the built-in STSong-Light font for Chinese)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1)
    normal = ParagraphStyle("normal", fontName=font, fontSize=9, leading=13)
    small = ParagraphStyle("small", fontName=font, fontSize=8, leading=11)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=14 * mm,
        rightMargin=14 * mm,
        topMargin=14 * mm,
        bottomMargin=14 * mm,
        title=_("Statement of %(unit)s") % {"unit": st.unit},
        author=project_name,
    )
    story = [
        Paragraph(_("Statement of account"), title),
        Spacer(1, 4 * mm),
        Paragraph(
            "　　".join(
                [
                    f"{_('Project')}: {project_name}",
                    f"{_('Unit')}: {st.unit}",
                    f"{_('Payer')}: {'、'.join(st.payers) or '—'}",
                ]
            ),
            normal,
        ),
        Paragraph(
            f"{_('Period')}: {st.date_from:%Y-%m-%d} ~ {st.date_to:%Y-%m-%d}　　"
            f"{_('Printed')}: {timezone.localtime(st.generated_at):%Y-%m-%d %H:%M}",
            normal,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [[_("Date"), _("Reference"), _("Description"), _("Charge"), _("Paid / reduced"), _("Balance")]]
    rows.append(["", "", _("Opening balance"), "", "", _m(st.opening) or "0.00"])
    for line in st.lines:
        text = line.text
        if line.late_fee:
            text += " " + _("(late fee %(fee)s)") % {"fee": f"{line.late_fee:,.2f}"}
        rows.append(
            [
                f"{line.date:%Y-%m-%d}",
                line.ref,
                Paragraph(text, small),
                _m(line.debit),
                _m(line.credit) if line.credit >= 0 else f"{line.credit:,.2f}",
                f"{line.balance:,.2f}",
            ]
        )
    rows.append(["", "", _("Closing balance"), _m(st.charged), _m(st.credited), f"{st.closing:,.2f}"])
    table = Table(rows, colWidths=[22 * mm, 34 * mm, 62 * mm, 22 * mm, 24 * mm, 22 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), font, 8.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#adb5bd")),
                ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#f8f9fa")),
            ]
        )
    )
    story += [table, Spacer(1, 4 * mm)]
    story.append(
        Paragraph(
            _("Balance owed at %(d)s: %(amount)s (%(upper)s)")
            % {"d": f"{st.date_to:%Y-%m-%d}", "amount": f"¥{st.closing:,.2f}", "upper": st.closing_upper},
            normal,
        )
    )
    story.append(
        Paragraph(
            _("Late fees: %(due)s due at the end of the period; %(paid)s paid and %(waived)s waived in it.")
            % {
                "due": f"{st.late_fee_due:,.2f}",
                "paid": f"{st.late_fee_paid:,.2f}",
                "waived": f"{st.late_fee_waived:,.2f}",
            },
            normal,
        )
    )
    if st.prepaid_total:
        story.append(
            Paragraph(_("Prepaid balance today: %(amount)s") % {"amount": f"{st.prepaid_total:,.2f}"}, normal)
        )
    if st.open_bills:
        story.append(Spacer(1, 4 * mm))
        story.append(Paragraph(_("Open bills"), normal))
        open_rows = [[_("Bill"), _("Item"), _("Period"), _("Due date"), _("Outstanding"), _("Late fee")]]
        for bill, owed, fee in st.open_bills:
            open_rows.append(
                [
                    bill.number,
                    bill.item.name,
                    bill.period_label,
                    f"{bill.due_date:%Y-%m-%d}",
                    _m(owed),
                    _m(fee),
                ]
            )
        open_table = Table(open_rows, colWidths=[36 * mm, 40 * mm, 30 * mm, 24 * mm, 28 * mm, 28 * mm])
        open_table.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), font, 8.5),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e9ecef")),
                    ("ALIGN", (4, 0), (-1, -1), "RIGHT"),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#adb5bd")),
                ]
            )
        )
        story.append(open_table)
    doc.build(story)
    return buf.getvalue()

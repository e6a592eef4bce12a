"""Receipts (收据): what a payment settled, as a page and as a PDF, and counting prints.

A receipt shows the payer, the unit, each item with its period, quantity x unit price, amount and tax
rate, late-fee lines, the total in figures and in capitals (人民币大写), the payment channels (cash
tendered and change), what went to the prepaid balance, the cashier, the time and the number.
``Payment.print_count`` counts prints: the first is the original, every later one is marked 补打.
A reversal prints as 冲正; a reversed payment carries the number of its reversal.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from wuye.billing.choices import AllocationKindChoices, PaymentChannelChoices, PaymentStatusChoices
from wuye.billing.models import Payment, PrepaidMovement
from wuye.core import audit
from wuye.core.money import ZERO, rmb_upper

#: fixed marks of the printed document (legal terms of Chinese receipts, not interface text)
REPRINT_MARK = "补打"
REVERSAL_MARK = "冲正"
REVERSED_MARK = "已冲正"
FONT = "STSong-Light"


@dataclass
class ReceiptLine:
    item: str
    period: str
    quantity: str
    amount: Decimal
    tax_rate: str
    is_late_fee: bool = False
    bill_number: str = ""


@dataclass
class Receipt:
    payment: Payment
    project_name: str
    number: str
    payer: str
    unit: str
    cashier: str
    received_at: object
    lines: list[ReceiptLine] = field(default_factory=list)
    tenders: list[tuple[str, Decimal, str]] = field(default_factory=list)
    total: Decimal = ZERO
    total_upper: str = ""
    to_prepaid: Decimal = ZERO
    prepaid_label: str = ""
    cash_tendered: Decimal | None = None
    change_given: Decimal = ZERO
    is_reversal: bool = False
    reverses: str = ""
    reversed_by: str = ""
    reason: str = ""
    note: str = ""

    @property
    def title(self) -> str:
        return _("Receipt")


def _qty(value: Decimal) -> str:
    """89.5000 -> 89.50, 2.5000 -> 2.50, 0.4567 -> 0.4567: at least 2 decimals, no trailing noise."""
    text = f"{value.normalize():f}"
    whole, _dot, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def _rate(value: Decimal) -> str:
    pct = (value * 100).normalize()
    return f"{pct:f}%"


def receipt_for(payment: Payment) -> Receipt:
    """Everything a receipt shows, read in a few queries."""
    payment = (
        Payment.objects.select_related("project", "unit", "cashier", "reversal_of")
        .prefetch_related("tenders")
        .get(pk=payment.pk)
    )
    allocations = list(
        payment.allocations.select_related("bill__item").order_by("bill__due_date", "bill_id", "pk")
    )
    # Charges first (oldest first), then the late fees.
    allocations.sort(key=lambda a: a.kind == AllocationKindChoices.LATE_FEE)
    lines = []
    for a in allocations:
        bill = a.bill
        if a.kind == AllocationKindChoices.LATE_FEE:
            lines.append(
                ReceiptLine(
                    item=_("Late fee: %(item)s") % {"item": bill.item.name},
                    period=bill.period_label,
                    quantity="",
                    amount=a.amount,
                    tax_rate=_rate(bill.tax_rate),
                    is_late_fee=True,
                    bill_number=bill.number,
                )
            )
            continue
        quantity = f"{_qty(bill.quantity)} × {_qty(bill.unit_price)}"
        if bill.months and bill.months != 1:
            quantity += f" × {_qty(bill.months)}"
        lines.append(
            ReceiptLine(
                item=bill.item.name,
                period=bill.period_label,
                quantity=quantity,
                amount=a.amount,
                tax_rate=_rate(bill.tax_rate),
                bill_number=bill.number,
            )
        )
    prepaid_label = ""
    if payment.to_prepaid:
        movement = (
            PrepaidMovement.objects.filter(payment=payment, amount__gt=0)
            .select_related("account__item")
            .first()
        )
        item = getattr(getattr(movement, "account", None), "item", None)
        prepaid_label = (
            _("Prepaid balance for %(item)s") % {"item": item.name} if item else _("Prepaid balance")
        )
    reversed_by = ""
    if payment.status == PaymentStatusChoices.REVERSED:
        reversal = Payment.objects.filter(reversal_of=payment).only("number").first()
        reversed_by = reversal.number if reversal else ""
    labels = dict(PaymentChannelChoices.choices)
    return Receipt(
        payment=payment,
        project_name=payment.project.name,
        number=payment.number,
        payer=payment.payer_name or "",
        unit=payment.unit.code if payment.unit_id else "",
        cashier=str(payment.cashier),
        received_at=timezone.localtime(payment.received_at),
        lines=lines,
        tenders=[
            (str(labels.get(t.channel, t.channel)), t.amount, t.reference) for t in payment.tenders.all()
        ],
        total=payment.amount,
        total_upper=rmb_upper(payment.amount),
        to_prepaid=payment.to_prepaid,
        prepaid_label=str(prepaid_label),
        cash_tendered=payment.cash_tendered,
        change_given=payment.change_given,
        is_reversal=payment.status == PaymentStatusChoices.REVERSAL,
        reverses=payment.reversal_of.number if payment.reversal_of_id else "",
        reversed_by=reversed_by,
        reason=payment.reason,
        note=payment.note,
    )


def do_print_receipt(*, actor, payment: Payment) -> tuple[bytes, int]:
    """Count one print of ``payment``'s receipt (audited) and return (PDF, print number).

    The first print is the original; later prints are marked 补打 (reprint).
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update(of=("self",)).get(pk=payment.pk)
        locked.print_count += 1
        locked.save(update_fields=["print_count", "updated_at"])
        audit.record(
            actor=actor,
            action="billing.receipt.print" if locked.print_count == 1 else "billing.receipt.reprint",
            obj=locked,
            amount=locked.amount,
            data={"print": locked.print_count},
        )
        pdf = receipt_pdf(receipt_for(locked), print_number=locked.print_count)
    payment.print_count = locked.print_count
    return pdf, locked.print_count


def _money(value) -> str:
    return f"{value:,.2f}"


def receipt_pdf(receipt: Receipt, *, print_number: int = 1) -> bytes:
    """The receipt as an A5 landscape PDF with ReportLab's built-in Chinese font (no font files)."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.pagesizes import A5, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = ParagraphStyle("r", fontName=FONT, fontSize=8.5, leading=11)
    small = ParagraphStyle("s", parent=base, fontSize=7.5, leading=9.5)
    title_style = ParagraphStyle("t", parent=base, fontSize=14, leading=18, alignment=TA_CENTER)
    right = ParagraphStyle("rr", parent=base, alignment=TA_RIGHT)

    def p(text, style=base):
        from xml.sax.saxutils import escape

        return Paragraph(escape(str(text)), style)

    width, height = landscape(A5)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=(width, height),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=9 * mm,
        bottomMargin=8 * mm,
        title=f"{receipt.title} {receipt.number}",
        author=receipt.project_name,
    )
    usable = width - 20 * mm
    story = []
    heading = f"{receipt.project_name}  {receipt.title}"
    if receipt.is_reversal:
        heading += f"（{REVERSAL_MARK}）"
    story.append(p(heading, title_style))
    story.append(Spacer(1, 2 * mm))
    head = [
        [
            p(f"{_('Receipt number')}: {receipt.number}"),
            p(f"{_('Received at')}: {receipt.received_at:%Y-%m-%d %H:%M}", right),
        ],
        [p(f"{_('Payer')}: {receipt.payer or '—'}"), p(f"{_('Unit')}: {receipt.unit or '—'}", right)],
    ]
    if receipt.is_reversal:
        head.append(
            [
                p(f"{REVERSAL_MARK} {_('Reverses receipt')}: {receipt.reverses}"),
                p(f"{_('Reason')}: {receipt.reason}", right),
            ]
        )
    story.append(Table(head, colWidths=[usable / 2, usable / 2], style=[("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(Spacer(1, 2 * mm))

    rows = [
        [
            p(h, small)
            for h in (_("Item"), _("Period"), _("Quantity × unit price"), _("Tax rate"), _("Amount"))
        ]
    ]
    for line in receipt.lines:
        rows.append(
            [
                p(line.item),
                p(line.period),
                p(line.quantity),
                p(line.tax_rate),
                p(_money(line.amount), right),
            ]
        )
    if receipt.to_prepaid:
        rows.append([p(receipt.prepaid_label), p(""), p(""), p(""), p(_money(receipt.to_prepaid), right)])
    rows.append(
        [
            p(f"{_('Total in words')}: 人民币{receipt.total_upper}"),
            "",
            "",
            p(_("Total")),
            p(f"¥{_money(receipt.total)}", right),
        ]
    )
    col = [0.30, 0.17, 0.25, 0.10, 0.18]
    table = Table(rows, colWidths=[usable * c for c in col], repeatRows=1)
    last = len(rows) - 1
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#555555")),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("SPAN", (0, last), (2, last)),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 2 * mm))

    channels = "; ".join(
        f"{label} {_money(amount)}" + (f" ({ref})" if ref else "") for label, amount, ref in receipt.tenders
    )
    story.append(p(f"{_('Paid by')}: {channels}"))
    if receipt.cash_tendered is not None:
        story.append(
            p(
                f"{_('Cash tendered')}: {_money(receipt.cash_tendered)}   "
                f"{pgettext('money handed back', 'Change')}: {_money(receipt.change_given)}"
            )
        )
    if receipt.to_prepaid:
        story.append(p(f"{_('Put to the prepaid balance')}: {_money(receipt.to_prepaid)}"))
    if receipt.reversed_by:
        story.append(p(f"{REVERSED_MARK}: {receipt.reversed_by}"))
    if receipt.note:
        story.append(p(f"{_('Note')}: {receipt.note}"))
    story.append(Spacer(1, 3 * mm))
    printed = timezone.localtime()
    foot = [
        p(f"{_('Cashier')}: {receipt.cashier}"),
        p(f"{_('Printed at')}: {printed:%Y-%m-%d %H:%M}"),
        p(_("Print no. %(n)s") % {"n": print_number}, right),
    ]
    story.append(Table([foot], colWidths=[usable / 3] * 3))

    def stamp(canvas, _doc):
        marks = []
        if print_number > 1:
            marks.append(REPRINT_MARK)
        if receipt.is_reversal:
            marks.append(REVERSAL_MARK)
        elif receipt.reversed_by:
            marks.append(REVERSED_MARK)
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor("#c62828"))
        canvas.setFillColor(colors.HexColor("#c62828"))
        canvas.setLineWidth(1.5)
        x = width - 12 * mm
        for mark in marks:
            w = pdfmetrics.stringWidth(mark, FONT, 16) + 6 * mm
            canvas.roundRect(x - w, height - 20 * mm, w, 10 * mm, 2 * mm)
            canvas.setFont(FONT, 16)
            canvas.drawCentredString(x - w / 2, height - 17 * mm, mark)
            x -= w + 3 * mm
        canvas.restoreState()

    doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return buf.getvalue()

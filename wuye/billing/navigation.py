from django.utils.translation import gettext_lazy as _

from wuye.core.navigation import MenuGroup, MenuItem

# Items whose URL does not exist (yet) are hidden automatically.
menu = [
    MenuGroup(
        _("Fees"),
        key="fees",
        icon="cash",
        order=20,
        items=[
            MenuItem(_("Cashier desk"), "billing:cashier", "billing.collect_payment", "cash-register"),
            MenuItem(_("Bills"), "billing:bill_list", "billing.view_bill", "file-invoice"),
            MenuItem(_("Payments"), "billing:payment_list", "billing.view_payment", "receipt"),
            MenuItem(
                _("Prepaid balances"), "billing:prepaidaccount_list", "billing.view_prepaidaccount", "wallet"
            ),
            MenuItem(
                _("Billing runs"), "billing:billingrun_list", "billing.view_billingrun", "calendar-dollar"
            ),
            MenuItem(_("Meter readings"), "billing:meterreading_list", "billing.view_meterreading", "gauge"),
            MenuItem(_("Meters"), "billing:meter_list", "billing.view_meter", "device-analytics"),
            MenuItem(_("Arrears"), "billing:arrears", "billing.view_bill", "alert-triangle"),
            MenuItem(
                _("Dunning"), "billing:dunningrecord_list", "billing.view_dunningrecord", "mail-forward"
            ),
            MenuItem(_("Day close"), "billing:cashierdayclose_list", "billing.view_cashierdayclose", "lock"),
            MenuItem(_("Collection reports"), "billing:reports", "billing.view_bill", "chart-bar"),
            MenuItem(_("Fee items"), "billing:feeitem_list", "billing.view_feeitem", "list"),
            MenuItem(_("Fee standards"), "billing:feestandard_list", "billing.view_feestandard", "ruler"),
            MenuItem(
                _("Fee assignments"), "billing:feeassignment_list", "billing.view_feeassignment", "link"
            ),
            MenuItem(_("Late-fee rules"), "billing:latefeerule_list", "billing.view_latefeerule", "clock"),
        ],
    )
]

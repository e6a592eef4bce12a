from wuye.billing.views import cashier, fees, fees_bills, fees_runs, fees_units, meters, reports

app_name = "billing"

urlpatterns = [
    *fees.urlpatterns,
    *fees_runs.urlpatterns,
    *fees_bills.urlpatterns,
    *fees_units.urlpatterns,
    *cashier.urlpatterns,
    *meters.urlpatterns,
    *reports.urlpatterns,
]

from wuye.billing.views import cashier, fees, meters, reports

app_name = "billing"

urlpatterns = [*fees.urlpatterns, *cashier.urlpatterns, *meters.urlpatterns, *reports.urlpatterns]

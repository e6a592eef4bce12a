from wuye.billing.api import cashier, fees, meters, reports

routes = [*fees.routes, *cashier.routes, *meters.routes, *reports.routes]

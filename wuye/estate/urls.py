from wuye.estate import views

app_name = "estate"

urlpatterns = [*views.ProjectViews.urls("projects")]

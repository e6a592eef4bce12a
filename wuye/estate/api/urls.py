from wuye.estate.api import views

routes = [("estate/projects", views.ProjectViewSet, "estate-project")]

from huey.contrib.djhuey import db_task

from wuye.notifications import services


@db_task(retries=2, retry_delay=60)
def deliver_notifications(ids):
    services.deliver(ids)


@db_task(retries=2, retry_delay=60)
def deliver_sms(pk):
    services.deliver_sms_now(pk)

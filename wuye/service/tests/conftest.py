import pytest


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (notifications) of the block: ``with on_commit(): ...``."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def sms_outbox(settings):
    from wuye.notifications.sms import LocmemSmsBackend

    settings.WUYE_SMS_BACKEND = "wuye.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.outbox = []
    return LocmemSmsBackend.outbox

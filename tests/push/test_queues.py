"""Partner webhooks have their own Celery queue, so they never wait behind the kernel's work."""

from config.celery import app


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def test_webhook_fan_out_and_delivery_go_to_the_push_queue_and_the_rest_to_the_default():
    webhook_tasks = ("push.tasks.fan_out", "push.tasks.deliver_endpoint", "push.tasks.dispatch_webhooks")
    assert {_queue(name) for name in webhook_tasks} == {"push"}
    # The feed's numbering, source checks and mail (an SMTP server may hang) stay on "celery".
    others = ("core.tasks.feed_sequence", "sources.tasks.check_source", "push.tasks.send_event_emails")
    assert {_queue(name) for name in others} == {"celery"}

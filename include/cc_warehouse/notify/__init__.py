"""Failure notifications: a failed gate, a failed load, a missed publish deadline reach a person.

``alerts`` builds the message (names and counts only, never a data value); ``channels`` delivers it by
SMTP or to a chat-bot webhook (WeCom / DingTalk / Feishu); ``notifier`` is Airflow's notifier interface
used as task failure callback and as the DAG's deadline-alert callback.
"""

from cc_warehouse.notify.alerts import Alert, deadline_alert, failure_alert

__all__ = ["Alert", "deadline_alert", "failure_alert"]

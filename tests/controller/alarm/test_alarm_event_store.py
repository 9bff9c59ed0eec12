"""The host's EventStore.append is the log_event callback as is: alarm events land in the store."""

from alarm_reports import AlarmReport
from pysia_receiver import PysiaReceiver, closed_tcp_port

from controller.alarm.config import AlarmConfig, ReceiverConfig
from controller.alarm.service import AlarmService
from controller.store.event_store import EventStore
from protocols import events


async def test_path_loss_and_delivery_are_written_to_the_event_store(tmp_path):
    store = EventStore(tmp_path / "events.sqlite")
    down = closed_tcp_port()
    backup = PysiaReceiver("tcp", {"1234": None})
    port = await backup.start()
    config = AlarmConfig(
        receivers=(ReceiverConfig("127.0.0.1", down.getsockname()[1], "tcp", "1234"),
                   ReceiverConfig("127.0.0.1", port, "tcp", "1234")),
        zones=("admin",), ack_timeout_s=1.0, backoff_s=0.05, supervision_s=0,
    )
    service = AlarmService(config, tmp_path / "alarm-outbox.sqlite", log_event=store.append)
    await service.start()
    try:
        await service.wait_delivered(
            await service.submit(AlarmReport(events.PANIC_ALARM, "admin", "office-panic")), 10)
    finally:
        await service.stop()
        await backup.stop()
        down.close()
    kinds = [record.kind for record in store.query(kind="alarm")]
    store.close()
    assert kinds == [events.ALARM_QUEUED, events.ALARM_PATH_LOST, events.ALARM_ACKED]

"""The district's subscriber and PostgreSQL store in their own process, so a test can kill -9 it:
python district_child.py BROKER DATABASE CLIENT_ID. Prints "ready" once subscribed."""

import sys
import time

from district.store import PostgresStore
from district.subscriber import DistrictSubscriber

if __name__ == "__main__":
    broker, database, client_id = sys.argv[1:4]
    subscriber = DistrictSubscriber(broker, PostgresStore(database), client_id=client_id)
    subscriber.start()
    while not subscriber.connected:
        time.sleep(0.05)
    print("ready", flush=True)
    while True:
        time.sleep(3600)

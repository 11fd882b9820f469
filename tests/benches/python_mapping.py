"""The agent-events mapping written in plain Python (json, base64, dicts): the baseline the
throughput bench (`tests/benches/throughput.rs`) compares the WebAssembly transform with.

It maps exactly as `guest-transforms/agent-events` does (see that crate's documentation): one
`AgentEvent` record per event and one `AgentEvent_Contact` record per contact, the same
columns, the `_X_` computed values, absent/null/empty strings left out.

Usage:
    python3 python_mapping.py EVENT_FILE [--events N] [--rounds R]
        measure: map N events (cycling through the file's records; default: each once) per
        round, R rounds after a warm-up, and print the median as `events_per_sec ...`
    python3 python_mapping.py EVENT_FILE --dump
        print the records of the file's events as JSON, to compare with the Rust mapping

EVENT_FILE is a Lambda Kinesis event (`{"Records": [...]}`). Reading it is not timed: the
Lambda runtime hands a Python handler the event already parsed. Timed per record: base64
decode of `data`, `json.loads`, the mapping.
"""

import base64
import json
import statistics
import sys
import time
from datetime import datetime, timedelta, timezone

AGENT_TABLE = "AgentEvent"
CONTACT_TABLE = "AgentEvent_Contact"
EVENT_TYPES = ("LOGIN", "LOGOUT", "STATE_CHANGE", "HEART_BEAT")
NOT_HELD_STATES = ("MISSED", "REJECTED", "ERROR")
HIERARCHY_LEVELS = ("Level1", "Level2", "Level3", "Level4", "Level5")
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
MILLISECOND = timedelta(milliseconds=1)


class MappingError(Exception):
    """An event that cannot be mapped (never worth retrying)."""


def get(obj, key):
    """`obj[key]` when `obj` is a dict, else None (a null parent reads as absent)."""
    return obj.get(key) if isinstance(obj, dict) else None


def varchar(measures, name, value):
    """Adds a VARCHAR measure unless the value is absent, null or empty."""
    if value is not None and value != "":
        if not isinstance(value, str):
            raise MappingError(f"{name}: expected a string, got {value!r}")
        measures.append({"name": name, "type": "VARCHAR", "value": value})


def epoch_ms(text):
    """`2025-03-04T09:00:01.902Z` to milliseconds since the Unix epoch."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise MappingError(f"bad EventTimestamp {text!r}: {error}") from None
    if moment.tzinfo is None:
        raise MappingError(f"EventTimestamp {text!r} has no offset")
    return (moment - EPOCH) // MILLISECOND


def required(event, field, event_id):
    value = event.get(field)
    if not value:
        raise MappingError(f"missing {field} in event {event_id}")
    return value


def slots(profile):
    """Available slots per channel: the first VOICE, CHAT and TASK entries, 0 if absent."""
    found = {}
    for entry in get(profile, "Concurrency") or ():
        channel = entry.get("Channel")
        if channel in ("VOICE", "CHAT", "TASK") and channel not in found:
            found[channel] = entry.get("AvailableSlots") or 0
    return found.get("VOICE", 0), found.get("CHAT", 0), found.get("TASK", 0)


def agent_record(event, header, snapshot, contacts):
    configuration = get(snapshot, "Configuration")
    profile = get(configuration, "RoutingProfile")
    measures = []

    varchar(measures, "EventType", header["type"])
    varchar(measures, "EventId", header["id"])
    varchar(measures, "EventTimestamp", header["timestamp"])
    varchar(measures, "AWSAccountId", event.get("AWSAccountId"))

    prefix = "CurrentAgentSnapshot_Configuration_"
    if configuration is not None:
        varchar(measures, prefix + "Username", configuration.get("Username"))
        varchar(measures, prefix + "FirstName", configuration.get("FirstName"))
        varchar(measures, prefix + "LastName", configuration.get("LastName"))
        if profile is not None:
            varchar(measures, prefix + "RoutingProfile_Name", profile.get("Name"))
            varchar(measures, prefix + "RoutingProfile_ARN", profile.get("ARN"))

    status = get(snapshot, "AgentStatus")
    if status is not None:
        varchar(measures, "CurrentAgentSnapshot_AgentStatus_Name", status.get("Name"))
        varchar(measures, "CurrentAgentSnapshot_AgentStatus_Type", status.get("Type"))
        varchar(
            measures,
            "CurrentAgentSnapshot_AgentStatus_StartTimestamp",
            status.get("StartTimestamp"),
        )
        varchar(measures, "CurrentAgentSnapshot_AgentStatus_ARN", status.get("ARN"))

    following = get(snapshot, "NextAgentStatus")
    if following is not None:
        enqueued = following.get("EnqueueTimestamp") or following.get("EnqueuedTimestamp")
        varchar(measures, "CurrentAgentSnapshot_NextAgentStatus_Name", following.get("Name"))
        varchar(measures, "CurrentAgentSnapshot_NextAgentStatus_Type", following.get("Type"))
        varchar(measures, "CurrentAgentSnapshot_NextAgentStatus_EnqueueTimestamp", enqueued)

    groups = get(configuration, "AgentHierarchyGroups")
    if groups is not None:
        for level in HIERARCHY_LEVELS:
            name = get(groups.get(level), "Name")
            varchar(measures, f"{prefix}AgentHierarchyGroups_{level}_Name", name)

    previous = get(get(event.get("PreviousAgentSnapshot"), "AgentStatus"), "Name")
    varchar(measures, "PreviousAgentSnapshot_AgentStatus_Name", previous)

    voice, chat, task = slots(profile)
    held = any(get(contact, "State") not in NOT_HELD_STATES for contact in contacts)
    measures.append({"name": "_X_OnContact", "type": "BOOLEAN", "value": held})
    measures.append({"name": "_X_AvailableVoiceSlots", "type": "BIGINT", "value": voice})
    measures.append({"name": "_X_AvailableChatSlots", "type": "BIGINT", "value": chat})
    measures.append({"name": "_X_AvailableTaskSlots", "type": "BIGINT", "value": task})
    measures.append({"name": "_X_ContactCount", "type": "BIGINT", "value": len(contacts)})

    dimensions = [
        {"name": "InstanceARN", "value": header["instance"]},
        {"name": "AgentARN", "value": header["agent"]},
    ]
    return record(AGENT_TABLE, dimensions, measures, header)


def contact_record(contact, header, username, index):
    contact_id = contact.get("ContactId")
    if not contact_id:
        raise MappingError(f"contact {index} of event {header['id']} has no ContactId")
    queue = contact.get("Queue")
    measures = []

    varchar(measures, "State", contact.get("State"))
    varchar(measures, "Channel", contact.get("Channel"))
    varchar(measures, "InitiationMethod", contact.get("InitiationMethod"))
    varchar(measures, "StateStartTimestamp", contact.get("StateStartTimestamp"))
    varchar(measures, "ConnectedToAgentTimestamp", contact.get("ConnectedToAgentTimestamp"))
    varchar(measures, "QueueTimestamp", contact.get("QueueTimestamp"))
    varchar(measures, "Queue_ARN", get(queue, "ARN"))
    varchar(measures, "Queue_Name", get(queue, "Name"))
    varchar(measures, "InitialContactId", contact.get("InitialContactId"))
    varchar(measures, "EventType", header["type"])
    varchar(measures, "EventId", header["id"])
    varchar(measures, "Agent_Username", username)

    dimensions = [
        {"name": "InstanceARN", "value": header["instance"]},
        {"name": "Agent_AgentARN", "value": header["agent"]},
        {"name": "ContactId", "value": contact_id},
    ]
    return record(CONTACT_TABLE, dimensions, measures, header)


def record(table, dimensions, measures, header):
    return {
        "table": table,
        "dimensions": dimensions,
        "measure_name": table,
        "measures": measures,
        "time": header["time"],
        "time_unit": "MILLISECONDS",
        "version": header["version"],
    }


def read_header(event, arrival_ms):
    if not isinstance(event, dict):
        raise MappingError("the payload is not a JSON object")
    event_id = event.get("EventId") or None
    event_type = required(event, "EventType", event_id)
    if event_type not in EVENT_TYPES:
        raise MappingError(f"unknown EventType {event_type} in event {event_id}")

    header = {
        "type": event_type,
        "id": event_id,
        "agent": required(event, "AgentARN", event_id),
        "instance": required(event, "InstanceARN", event_id),
        "timestamp": required(event, "EventTimestamp", event_id),
    }
    header["time"] = epoch_ms(header["timestamp"])
    header["version"] = arrival_ms if arrival_ms and arrival_ms > 0 else header["time"]
    return header


def map_event(payload, arrival_ms):
    """One agent event payload (bytes) to its records, the agent record first."""
    event = json.loads(payload)
    header = read_header(event, arrival_ms)
    snapshot = event.get("CurrentAgentSnapshot")
    contacts = get(snapshot, "Contacts") or []
    username = get(get(snapshot, "Configuration"), "Username")

    records = [agent_record(event, header, snapshot, contacts)]
    for index, contact in enumerate(contacts):
        records.append(contact_record(contact, header, username, index))
    return records


def map_kinesis_record(entry):
    kinesis = entry["kinesis"]
    payload = base64.b64decode(kinesis["data"], validate=True)
    arrival_ms = round(kinesis.get("approximateArrivalTimestamp", 0) * 1000)
    return map_event(payload, arrival_ms)


def run_once(entries, count):
    """Maps `count` records, cycling through `entries`; returns the Timestream records made."""
    made = 0
    for index in range(count):
        made += len(map_kinesis_record(entries[index % len(entries)]))
    return made


def measure(entries, count, rounds):
    run_once(entries, count)  # warm-up
    rates = []
    for _ in range(rounds):
        started = time.perf_counter()
        made = run_once(entries, count)
        rates.append(count / (time.perf_counter() - started))
    print(f"events_per_sec {statistics.median(rates):.0f}")
    print(f"events {count}")
    print(f"records {made}")


def as_output_json(rec):
    """A record in the shape of the host's `TimestreamRecord::to_json`."""
    dimensions = {d["name"]: d["value"] for d in rec["dimensions"]}
    return dict(rec, dimensions=dimensions)


def dump(entries):
    out = [as_output_json(rec) for entry in entries for rec in map_kinesis_record(entry)]
    json.dump(out, sys.stdout)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    with open(argv[1], "rb") as file:
        entries = json.load(file)["Records"]

    if "--dump" in argv:
        dump(entries)
    else:
        count = option(argv, "--events", len(entries))
        measure(entries, count, option(argv, "--rounds", 5))


def option(argv, name, default):
    """The integer after `name` in the arguments, or `default`."""
    return int(argv[argv.index(name) + 1]) if name in argv else default


if __name__ == "__main__":
    main(sys.argv)

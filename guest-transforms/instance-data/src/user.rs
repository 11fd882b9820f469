//! The `User` records: one per user of `Users`, with the agent's current state from
//! `UserData`, then one per `UserData` entry that matches no user.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::mapping::{Context, USER_TABLE};
use crate::record::{Record, RecordBuilder};
use crate::snapshot::{SnapshotIn, UserDataIn, UserIn, count, text};

/// The `_X_Available…Slots` columns, with the channel each reads.
const SLOT_COLUMNS: [&str; 3] = [
    "_X_AvailableVoiceSlots",
    "_X_AvailableChatSlots",
    "_X_AvailableTaskSlots",
];

/// What the snapshot knows of one user.
struct UserEntry<'s, 'a> {
    user: Option<&'s UserIn<'a>>,
    data: Option<&'s UserDataIn<'a>>,
}

/// Every `User` record of the snapshot.
pub(crate) fn records(
    context: &Context<'_>,
    snapshot: &SnapshotIn<'_>,
    warnings: &mut Vec<String>,
) -> Vec<Record> {
    let profiles: HashMap<&str, &str> = snapshot
        .routing_profiles
        .iter()
        .flatten()
        .filter_map(|profile| Some((text(&profile.routing_profile_id)?, text(&profile.name)?)))
        .collect();

    let entries = entries(snapshot);
    entries
        .iter()
        .filter_map(|entry| record(context, entry, &profiles, warnings))
        .collect()
}

/// The users of `Users` in order, each with its `UserData` entry (matched by `UserId`, else
/// `UserArn`; the first entry wins), then the `UserData` entries no user matched.
fn entries<'s, 'a>(snapshot: &'s SnapshotIn<'a>) -> Vec<UserEntry<'s, 'a>> {
    let user_data: Vec<&UserDataIn<'a>> = snapshot.user_data.iter().flatten().collect();
    let mut index = HashMap::new();
    for (at, data) in user_data.iter().enumerate() {
        for key in [text(&data.user_id), text(&data.user_arn)]
            .into_iter()
            .flatten()
        {
            index.entry(key).or_insert(at);
        }
    }

    let mut matched = vec![false; user_data.len()];
    let mut entries = Vec::new();
    for user in snapshot.users.iter().flatten() {
        let keys = [text(&user.id), text(&user.arn)];
        let found = keys
            .into_iter()
            .flatten()
            .find_map(|key| index.get(key).copied());
        found.inspect(|&at| matched[at] = true);
        let data = found.map(|at| user_data[at]);
        entries.push(UserEntry {
            user: Some(user),
            data,
        });
    }

    let unmatched = user_data
        .iter()
        .zip(matched)
        .filter(|(_, matched)| !matched);
    let data_only = unmatched.map(|(data, _)| UserEntry {
        user: None,
        data: Some(*data),
    });
    entries.extend(data_only);
    entries
}

/// The record of one user; `None` (with a warning) when it has neither id nor ARN.
fn record(
    context: &Context<'_>,
    entry: &UserEntry<'_, '_>,
    profiles: &HashMap<&str, &str>,
    warnings: &mut Vec<String>,
) -> Option<Record> {
    let (user, data) = (entry.user, entry.data);
    let id = user.and_then(|u| text(&u.id));
    let id = id.or(data.and_then(|d| text(&d.user_id)));
    let Some(arn) = agent_arn(context, entry, id) else {
        let instance_id = context.instance_id;
        let message = format!("a user of instance {instance_id} has neither Id nor Arn");
        warnings.push(format!("{message}; not written"));
        return None;
    };
    let dimensions = [("InstanceArn", context.instance_arn), ("Arn", arn.as_ref())];
    let mut record = RecordBuilder::new(USER_TABLE, &dimensions);

    if let Some(user) = user {
        push_user(&mut record, user);
    }
    record.varchar("Id", id);
    push_routing_profile(&mut record, entry, profiles);
    let hierarchy_group = user.and_then(|u| text(&u.hierarchy_group_id));
    record.varchar("HierarchyGroupId", hierarchy_group);
    if let Some(data) = data {
        push_state(&mut record, data);
    }

    record.finish(context.time_ms, warnings)
}

/// The user's ARN, else its `UserData` entry's, else `<instance ARN>/agent/<Id>`.
fn agent_arn<'s>(
    context: &Context<'_>,
    entry: &UserEntry<'s, '_>,
    id: Option<&str>,
) -> Option<Cow<'s, str>> {
    let user_arn = entry.user.and_then(|u| text(&u.arn));
    let known = user_arn.or(entry.data.and_then(|d| text(&d.user_arn)));
    if let Some(arn) = known {
        return Some(Cow::Borrowed(arn));
    }

    let built = id.map(|id| format!("{}/agent/{id}", context.instance_arn));
    built.map(Cow::Owned)
}

/// The routing profile's id (the user's, else `UserData`'s) and its name.
fn push_routing_profile(
    record: &mut RecordBuilder,
    entry: &UserEntry<'_, '_>,
    profiles: &HashMap<&str, &str>,
) {
    let id = entry.user.and_then(|u| text(&u.routing_profile_id));
    let id = id.or(entry.data.and_then(|d| text(&d.routing_profile_id)));

    record.varchar("RoutingProfileId", id);
    record.varchar(
        "RoutingProfile_Name",
        id.and_then(|id| profiles.get(id).copied()),
    );
}

/// The user's name columns; nothing else of the user's identity is read.
fn push_user(record: &mut RecordBuilder, user: &UserIn<'_>) {
    let identity = user.identity_info.as_ref();

    record.varchar("Username", text(&user.username));
    record.varchar(
        "IdentityInfo_FirstName",
        identity.and_then(|i| text(&i.first_name)),
    );
    record.varchar(
        "IdentityInfo_LastName",
        identity.and_then(|i| text(&i.last_name)),
    );
}

/// The agent's current state. Slot columns are 0 for a channel `AvailableSlotsByChannel`
/// does not list, as in `AgentEvent`.
fn push_state(record: &mut RecordBuilder, data: &UserDataIn<'_>) {
    let status = data.status.as_ref();
    let slots = data.available_slots_by_channel.as_ref();
    let slot_values = slots.map_or([None; 3], |s| [&s.voice, &s.chat, &s.task].map(count));

    record.varchar(
        "Status_StatusName",
        status.and_then(|s| text(&s.status_name)),
    );
    let since = status.and_then(|s| text(&s.status_start_timestamp));
    record.varchar("Status_StatusStartTimestamp", since);
    record.bigint("_X_ContactCount", count(&data.contact_count));
    for (column, value) in SLOT_COLUMNS.into_iter().zip(slot_values) {
        record.bigint(column, Some(value.unwrap_or(0)));
    }
}

//! Maps Amazon Connect agent events to AgentEvent and AgentEvent_Contact records

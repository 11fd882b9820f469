//! Maps Amazon Connect contact events to ContactEvent records

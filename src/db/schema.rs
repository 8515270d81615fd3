// Written by hand to match migrations/{sqlite,postgres}: only portable SQL types, so the
// same table definitions serve both backends of the MultiConnection.

diesel::table! {
    units (id) {
        id -> Text,
        code -> Text,
        name -> Text,
        parent_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    inspections (id) {
        id -> Text,
        code -> Text,
        source_type -> Text,
        title -> Text,
        issuer -> Text,
        target_unit_id -> Nullable<Text>,
        feedback_date -> Date,
        concentrated_period_end -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    findings (id) {
        id -> Text,
        inspection_id -> Text,
        code -> Text,
        category -> Text,
        level -> Text,
        supervision_level -> Text,
        title -> Text,
        description -> Text,
        responsible_unit_id -> Text,
        primary_accountable -> Nullable<Text>,
        status -> Text,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    measures (id) {
        id -> Text,
        finding_id -> Text,
        inspection_id -> Text,
        code -> Text,
        content -> Text,
        kind -> Text,
        lead_unit_id -> Text,
        accountable_leader -> Text,
        responsible_person -> Nullable<Text>,
        due_date -> Nullable<Date>,
        original_due_date -> Nullable<Date>,
        due_sort -> Date,
        completion_criteria -> Nullable<Text>,
        report_cycle -> Nullable<Text>,
        quota_metric -> Nullable<Text>,
        quota_min_count -> Nullable<Integer>,
        quota_period -> Nullable<Text>,
        status -> Text,
        extension_count -> Integer,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    measure_supporting_units (measure_id, unit_id) {
        measure_id -> Text,
        unit_id -> Text,
    }
}

diesel::joinable!(findings -> inspections (inspection_id));
diesel::joinable!(measures -> findings (finding_id));
diesel::joinable!(measure_supporting_units -> measures (measure_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    inspections,
    findings,
    measures,
    measure_supporting_units,
);

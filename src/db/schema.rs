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
        source_type -> Nullable<Text>,
        source_ref -> Nullable<Text>,
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
        progress_percent -> Integer,
        last_report_at -> Nullable<Timestamp>,
        closing_statement -> Nullable<Text>,
        submitted_by -> Nullable<Text>,
        submitted_at -> Nullable<Timestamp>,
        endorsed_by -> Nullable<Text>,
        verified_by -> Nullable<Text>,
        report_due -> Nullable<Date>,
        clock_stopped -> Bool,
        return_count -> Integer,
        closed_on_time -> Nullable<Bool>,
        days_to_close -> Nullable<Integer>,
        accountable_leader_sub -> Nullable<Text>,
        pending_extension_id -> Nullable<Text>,
        pending_extension_due -> Nullable<Date>,
        reminder_count -> Integer,
        last_reminded_at -> Nullable<Timestamp>,
        recheck_count -> Integer,
        relapse_count -> Integer,
        quota_light -> Nullable<Text>,
        /// Generated: not closed and the clock running (never written).
        is_open -> Bool,
    }
}

diesel::table! {
    activity_kinds (code) {
        code -> Text,
        name -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    duties (id) {
        id -> Text,
        code -> Text,
        title -> Text,
        year -> Integer,
        unit_id -> Text,
        source -> Nullable<Text>,
        measure_id -> Nullable<Text>,
        quotas -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    activities (id) {
        id -> Text,
        kind -> Text,
        title -> Text,
        held_on -> Date,
        unit_id -> Text,
        duty_id -> Nullable<Text>,
        persons -> Text,
        hours -> Nullable<Double>,
        count -> Nullable<Integer>,
        note -> Nullable<Text>,
        evidence_ids -> Text,
        withdrawn_at -> Nullable<Timestamp>,
        withdrawn_by -> Nullable<Text>,
        withdraw_reason -> Nullable<Text>,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    rechecks (id) {
        id -> Text,
        measure_id -> Text,
        result -> Text,
        note -> Text,
        checked_on -> Date,
        evidence_ids -> Text,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    progress_reports (id) {
        id -> Text,
        measure_id -> Text,
        text -> Text,
        percent -> Integer,
        evidence_ids -> Text,
        reported_by -> Text,
        reported_at -> Timestamp,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        measure_id -> Text,
        sha256 -> Text,
        size -> BigInt,
        media_type -> Text,
        file_name -> Text,
        description -> Nullable<Text>,
        effective_date -> Nullable<Date>,
        uploaded_by -> Text,
        uploaded_at -> Timestamp,
        frozen_at -> Nullable<Timestamp>,
        deleted_at -> Nullable<Timestamp>,
        deleted_by -> Nullable<Text>,
    }
}

diesel::table! {
    extensions (id) {
        id -> Text,
        measure_id -> Text,
        requested_due_date -> Date,
        previous_due_date -> Nullable<Date>,
        reason -> Text,
        status -> Text,
        requested_by -> Text,
        requested_at -> Timestamp,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        decision_note -> Nullable<Text>,
        version -> Integer,
    }
}

diesel::table! {
    events (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        actor -> Text,
        role -> Text,
        action -> Text,
        object_type -> Text,
        object_id -> Text,
        before_json -> Nullable<Text>,
        after_json -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
        actor_name -> Nullable<Text>,
    }
}

diesel::table! {
    event_head (id) {
        id -> Integer,
        last_seq -> BigInt,
        last_hash -> Text,
        shown_seq -> BigInt,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        active -> Bool,
        created_by -> Text,
        created_at -> Timestamp,
        failing_since -> Nullable<Timestamp>,
        disabled_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_status -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    deadline_notices (measure_id, kind, due_date) {
        measure_id -> Text,
        kind -> Text,
        due_date -> Date,
    }
}

diesel::table! {
    duty_notices (duty_id, metric, period, kind) {
        duty_id -> Text,
        metric -> Text,
        period -> Text,
        kind -> Text,
        noticed_at -> Timestamp,
    }
}

diesel::table! {
    measure_supporting_units (measure_id, unit_id) {
        measure_id -> Text,
        unit_id -> Text,
    }
}

diesel::table! {
    people (sub) {
        sub -> Text,
        name -> Text,
        title -> Nullable<Text>,
        unit_id -> Nullable<Text>,
        oversees_unit_ids -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        created_by -> Nullable<Text>,
        updated_by -> Nullable<Text>,
    }
}

diesel::table! {
    handovers (id) {
        id -> Text,
        role -> Text,
        from_sub -> Nullable<Text>,
        from_name -> Text,
        to_sub -> Nullable<Text>,
        to_name -> Text,
        unit_id -> Nullable<Text>,
        reason -> Text,
        effective_date -> Date,
        created_at -> Timestamp,
        created_by -> Text,
    }
}

diesel::table! {
    handover_measures (handover_id, measure_id) {
        handover_id -> Text,
        measure_id -> Text,
    }
}

diesel::table! {
    idempotency_keys (caller, idem_key) {
        caller -> Text,
        idem_key -> Text,
        fingerprint -> Text,
        method -> Text,
        path -> Text,
        claimed_at -> Timestamp,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Binary>,
        answered_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(findings -> inspections (inspection_id));
diesel::joinable!(rechecks -> measures (measure_id));
diesel::joinable!(handover_measures -> handovers (handover_id));
diesel::joinable!(handover_measures -> measures (measure_id));
diesel::joinable!(measures -> findings (finding_id));
diesel::joinable!(measure_supporting_units -> measures (measure_id));
diesel::joinable!(progress_reports -> measures (measure_id));
diesel::joinable!(evidence -> measures (measure_id));
diesel::joinable!(extensions -> measures (measure_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));

diesel::allow_tables_to_appear_in_same_query!(
    units,
    inspections,
    findings,
    measures,
    measure_supporting_units,
    progress_reports,
    evidence,
    extensions,
    events,
    event_head,
    webhooks,
    webhook_deliveries,
    deadline_notices,
    duty_notices,
    people,
    handovers,
    handover_measures,
    rechecks,
    activity_kinds,
    duties,
    activities,
);

//! The tables, shared by both backends (the migration sets are kept equivalent to this).

diesel::table! {
    organizers (id) {
        id -> BigInt,
        email -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        language -> Nullable<Text>,
        unlocked_at -> Nullable<Timestamp>,
        deactivated_at -> Nullable<Timestamp>,
        totp_secret -> Nullable<Text>,
        totp_enabled_at -> Nullable<Timestamp>,
        totp_last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> BigInt,
        organizer_id -> BigInt,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    team_policy (id) {
        id -> BigInt,
        two_factor_required -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    organizer_invites (id) {
        id -> BigInt,
        organizer_id -> BigInt,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    console_sessions (id) {
        id -> BigInt,
        organizer_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        organizer_id -> BigInt,
        name -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    events (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        description -> Text,
        timezone -> Text,
        starts_on -> Date,
        ends_on -> Date,
        venue -> Text,
        city -> Text,
        languages -> Text,
        default_language -> Text,
        capacity -> Nullable<Integer>,
        opens_at -> Time,
        closes_at -> Time,
        contact_email -> Text,
        status -> Text,
        registration_opens_at -> Nullable<Timestamp>,
        registration_closes_at -> Nullable<Timestamp>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        payment_instructions -> Text,
    }
}

diesel::table! {
    rooms (id) {
        id -> BigInt,
        event_id -> BigInt,
        name -> Text,
        hall -> Nullable<Text>,
        capacity -> Integer,
        search_text -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    tracks (id) {
        id -> BigInt,
        event_id -> BigInt,
        name -> Text,
        color -> Text,
        search_text -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    speakers (id) {
        id -> BigInt,
        event_id -> BigInt,
        name -> Text,
        email -> Nullable<Text>,
        organization -> Nullable<Text>,
        bio -> Nullable<Text>,
        search_text -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        event_id -> BigInt,
        title -> Text,
        abstract_text -> Nullable<Text>,
        kind -> Text,
        language -> Text,
        track_id -> Nullable<BigInt>,
        room_id -> Nullable<BigInt>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        capacity -> Nullable<Integer>,
        search_text -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    session_speakers (session_id, speaker_id) {
        session_id -> BigInt,
        speaker_id -> BigInt,
        position -> Integer,
        room_id -> Nullable<BigInt>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    schedule_releases (id) {
        id -> BigInt,
        event_id -> BigInt,
        version -> Text,
        comment -> Nullable<Text>,
        published_at -> Timestamp,
        published_by -> Nullable<BigInt>,
        snapshot -> Text,
        diff -> Text,
    }
}

diesel::table! {
    audit_entries (id) {
        id -> BigInt,
        event_id -> Nullable<BigInt>,
        organizer_id -> Nullable<BigInt>,
        action -> Text,
        entity -> Text,
        entity_id -> Nullable<BigInt>,
        details -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> BigInt,
        event_id -> BigInt,
        email -> Nullable<Text>,
        name -> Nullable<Text>,
        organization -> Nullable<Text>,
        job_title -> Nullable<Text>,
        country -> Nullable<Text>,
        phone -> Nullable<Text>,
        language -> Text,
        category -> Text,
        status -> Text,
        badge_code -> Text,
        consent_at -> Nullable<Timestamp>,
        search_text -> Text,
        confirm_sent_at -> Nullable<Timestamp>,
        waitlisted_at -> Nullable<Timestamp>,
        confirmed_at -> Nullable<Timestamp>,
        cancelled_at -> Nullable<Timestamp>,
        erased_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    link_tokens (id) {
        id -> BigInt,
        registration_id -> Nullable<BigInt>,
        exhibitor_id -> Nullable<BigInt>,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Nullable<Timestamp>,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_emails (id) {
        id -> BigInt,
        event_id -> Nullable<BigInt>,
        registration_id -> Nullable<BigInt>,
        kind -> Text,
        recipient -> Nullable<Text>,
        language -> Text,
        subject -> Nullable<Text>,
        body_text -> Nullable<Text>,
        body_html -> Nullable<Text>,
        attachments -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
        reply_to -> Nullable<Text>,
        from_name -> Nullable<Text>,
    }
}

diesel::table! {
    email_templates (id) {
        id -> BigInt,
        event_id -> BigInt,
        kind -> Text,
        language -> Text,
        subject -> Text,
        body_text -> Text,
        body_html -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    booths (id) {
        id -> BigInt,
        event_id -> BigInt,
        code -> Text,
        hall -> Text,
        area_m2 -> Integer,
        kind -> Text,
        staff_passes -> Integer,
        price_amount -> BigInt,
        price_currency -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    exhibitors (id) {
        id -> BigInt,
        event_id -> BigInt,
        company_name -> Text,
        contact_name -> Text,
        email -> Text,
        phone -> Nullable<Text>,
        website -> Nullable<Text>,
        country -> Nullable<Text>,
        sector -> Nullable<Text>,
        description -> Nullable<Text>,
        booth_kind -> Text,
        booth_area_m2 -> Integer,
        language -> Text,
        status -> Text,
        booth_id -> Nullable<BigInt>,
        payment_status -> Text,
        rejection_reason -> Nullable<Text>,
        consent_at -> Timestamp,
        search_text -> Text,
        confirm_sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        erased_at -> Nullable<Timestamp>,
        meeting_tables -> Integer,
    }
}

diesel::table! {
    staff_passes (id) {
        id -> BigInt,
        exhibitor_id -> BigInt,
        registration_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    checkins (id) {
        id -> BigInt,
        event_id -> BigInt,
        registration_id -> BigInt,
        day -> Date,
        category -> Text,
        scanned_at -> Timestamp,
        scanned_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    meeting_settings (event_id) {
        event_id -> BigInt,
        blocks -> Text,
        slot_minutes -> Integer,
        requests_open -> Bool,
        request_ttl_minutes -> Integer,
        max_pending -> Integer,
        reminder_hour -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meetings (id) {
        id -> BigInt,
        event_id -> BigInt,
        exhibitor_id -> BigInt,
        registration_id -> BigInt,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        status -> Text,
        message -> Text,
        host_registration_id -> Nullable<BigInt>,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        cancelled_by -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    meeting_reminders (id) {
        id -> BigInt,
        event_id -> BigInt,
        day -> Date,
        registration_id -> Nullable<BigInt>,
        exhibitor_id -> Nullable<BigInt>,
        sent_at -> Timestamp,
    }
}

diesel::table! {
    meeting_unavailable (exhibitor_id, starts_at) {
        exhibitor_id -> BigInt,
        starts_at -> Timestamp,
    }
}

diesel::joinable!(api_tokens -> organizers (organizer_id));
diesel::joinable!(console_sessions -> organizers (organizer_id));
diesel::joinable!(organizer_invites -> organizers (organizer_id));
diesel::joinable!(recovery_codes -> organizers (organizer_id));
diesel::joinable!(meetings -> events (event_id));
diesel::joinable!(meetings -> exhibitors (exhibitor_id));
diesel::joinable!(meeting_settings -> events (event_id));
diesel::joinable!(meeting_unavailable -> exhibitors (exhibitor_id));
diesel::joinable!(rooms -> events (event_id));
diesel::joinable!(tracks -> events (event_id));
diesel::joinable!(speakers -> events (event_id));
diesel::joinable!(sessions -> events (event_id));
diesel::joinable!(session_speakers -> sessions (session_id));
diesel::joinable!(session_speakers -> speakers (speaker_id));
diesel::joinable!(schedule_releases -> events (event_id));
diesel::joinable!(registrations -> events (event_id));
diesel::joinable!(link_tokens -> registrations (registration_id));
diesel::joinable!(email_templates -> events (event_id));
diesel::joinable!(booths -> events (event_id));
diesel::joinable!(exhibitors -> booths (booth_id));
diesel::joinable!(link_tokens -> exhibitors (exhibitor_id));
diesel::joinable!(staff_passes -> exhibitors (exhibitor_id));
diesel::joinable!(staff_passes -> registrations (registration_id));
diesel::joinable!(checkins -> registrations (registration_id));

diesel::table! {
    bookings (id) {
        id -> BigInt,
        event_id -> BigInt,
        session_id -> BigInt,
        registration_id -> BigInt,
        status -> Text,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agenda_feeds (token_hash) {
        token_hash -> Text,
        registration_id -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    schedule_notices (id) {
        id -> BigInt,
        event_id -> BigInt,
        release_id -> BigInt,
        registration_id -> BigInt,
        session_id -> BigInt,
        change -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(bookings -> registrations (registration_id));
diesel::joinable!(agenda_feeds -> registrations (registration_id));
diesel::joinable!(schedule_notices -> registrations (registration_id));

diesel::table! {
    instance_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    webhooks (id) {
        id -> BigInt,
        event_id -> BigInt,
        url -> Text,
        event_types -> Text,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_until -> Nullable<Timestamp>,
        failing_since -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        webhook_id -> BigInt,
        message_id -> Text,
        event_type -> Text,
        payload -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        locked_until -> Nullable<Timestamp>,
        retry_from -> Timestamp,
        created_at -> Timestamp,
        delivered_at -> Nullable<Timestamp>,
        registration_id -> Nullable<BigInt>,
        exhibitor_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    webhook_attempts (id) {
        id -> BigInt,
        delivery_id -> BigInt,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        response -> Text,
        duration_ms -> Integer,
    }
}

diesel::joinable!(webhooks -> events (event_id));
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));

diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    meetings,
    meeting_reminders,
    meeting_settings,
    meeting_unavailable,
    organizer_invites,
    recovery_codes,
    team_policy,
    organizers,
    api_tokens,
    events,
    rooms,
    tracks,
    speakers,
    sessions,
    session_speakers,
    schedule_releases,
    audit_entries,
    registrations,
    link_tokens,
    console_sessions,
    outbox_emails,
    email_templates,
    booths,
    exhibitors,
    staff_passes,
    checkins,
    instance_secrets,
    bookings,
    agenda_feeds,
    schedule_notices,
);

use super::*;
use spool::Header;

fn header(id: &str, len: usize) -> Header {
    Header {
        v: spool::FORMAT_VERSION,
        id: id.into(),
        time_us: 1_700_000_000_000_000,
        len: len as u64,
        original_size: len as u64,
        ..Default::default()
    }
}

fn put(dir: &Path, id: &str, payload: &str) -> PathBuf {
    spool::write(dir, &header(id, payload.len()), payload.as_bytes(), false).unwrap()
}

const FAIL: &str = r#"{"hook_event_name":"PostToolUseFailure","session_id":"s1","cwd":"/p","tool_name":"Bash","tool_use_id":"t1","error":"Exit code 1","is_interrupt":false,"duration_ms":7}"#;

#[test]
fn spool_round_trip() {
    let d = tempfile::tempdir().unwrap();
    let p = put(d.path(), "a", FAIL);
    let rec = spool::read(&p).unwrap();
    assert_eq!(rec.payload, FAIL.as_bytes());
    assert_eq!(rec.header.id, "a");
    assert_eq!(spool::pending(d.path()).unwrap(), vec![p]);
}

#[test]
fn records_appear_complete_under_their_final_names() {
    // The first record creates the directories (the named way); later ones
    // are unnamed files linked into place on Linux. Either way nothing is
    // left under a temp name, and each reads back whole, with its mode.
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let big = FAIL.repeat(200);
    let paths: Vec<PathBuf> = (0..3)
        .map(|i| {
            put(
                &spool_dir,
                &format!("r{i}"),
                if i == 2 { &big } else { FAIL },
            )
        })
        .collect();
    assert_eq!(spool::pending(&spool_dir).unwrap(), paths);
    for (i, p) in paths.iter().enumerate() {
        let rec = spool::read(p).unwrap();
        assert_eq!(
            rec.payload,
            if i == 2 {
                big.as_bytes()
            } else {
                FAIL.as_bytes()
            }
        );
        assert!(!rec.header.truncated);
        let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", p.display());
    }
    let tmp = spool_dir.join(".tmp");
    assert_eq!(std::fs::read_dir(&tmp).unwrap().count(), 0);
    // fsync = true takes the same way.
    let p = spool::write(
        &spool_dir,
        &header("synced", FAIL.len()),
        FAIL.as_bytes(),
        true,
    )
    .unwrap();
    assert_eq!(spool::read(&p).unwrap().payload, FAIL.as_bytes());
}

#[test]
fn ingest_extracts_columns_and_unlinks() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    put(&spool_dir, "a", FAIL);
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    let r = s.ingest(std::slice::from_ref(&spool_dir)).unwrap();
    assert_eq!(r.inserted, 1);
    assert!(spool::pending(&spool_dir).unwrap().is_empty());
    let rows = s.events(&EventFilter::default()).unwrap();
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row.event, "PostToolUseFailure");
    assert_eq!(row.tool_name.as_deref(), Some("Bash"));
    assert_eq!(row.error.as_deref(), Some("Exit code 1"));
    assert_eq!(row.is_interrupt, Some(false));
    assert_eq!(row.duration_ms, Some(7));
    assert_eq!(row.project.as_deref(), Some("/p"));
    assert_eq!(row.payload.as_deref(), Some(FAIL));
}

/// A crash between COMMIT and unlink leaves a record the next pass must skip.
#[test]
fn a_record_seen_twice_is_stored_once() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    put(&spool_dir, "a", FAIL);
    s.ingest(std::slice::from_ref(&spool_dir)).unwrap();
    put(&spool_dir, "a", FAIL);
    let r = s.ingest(std::slice::from_ref(&spool_dir)).unwrap();
    assert_eq!((r.inserted, r.duplicates), (0, 1));
    assert_eq!(s.count().unwrap(), 1);
}

#[test]
fn unparseable_records_are_kept_raw() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let mut h = header("x", 4);
    h.parse_error = Some("stdin is not JSON".into());
    spool::write(&spool_dir, &h, &[0xff, 0, 1, 2], false).unwrap();
    put(&spool_dir, "y", "[1,2]");
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    s.ingest(std::slice::from_ref(&spool_dir)).unwrap();
    let rows = s.events(&EventFilter::default()).unwrap();
    assert_eq!(rows[0].raw.as_deref(), Some(&[0xff, 0, 1, 2][..]));
    assert_eq!(rows[0].parse_error.as_deref(), Some("stdin is not JSON"));
    assert!(rows[1]
        .parse_error
        .as_deref()
        .unwrap()
        .contains("not an object"));
    assert_eq!(s.stats(None, 3).unwrap().unparseable, 2);
}

#[test]
fn concurrent_ingesters_store_each_record_once() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let db = d.path().join("db.sqlite");
    for i in 0..600 {
        put(&spool_dir, &format!("{i:05}"), FAIL);
    }
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (db, sd) = (db.clone(), spool_dir.clone());
            std::thread::spawn(move || Store::open(&db).unwrap().ingest(&[sd]).unwrap())
        })
        .collect();
    let total: usize = threads
        .into_iter()
        .map(|t| t.join().unwrap().inserted)
        .sum();
    assert_eq!(total, 600);
    assert_eq!(Store::open(&db).unwrap().count().unwrap(), 600);
}

#[test]
fn filters_limit_and_stats() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    put(&spool_dir, "1", FAIL);
    put(
        &spool_dir,
        "2",
        r#"{"hook_event_name":"PostToolUse","session_id":"s1","tool_name":"Bash"}"#,
    );
    put(
        &spool_dir,
        "3",
        r#"{"hook_event_name":"StopFailure","session_id":"s2","cwd":"/q","error":"rate_limit"}"#,
    );
    put(
        &spool_dir,
        "4",
        r#"{"hook_event_name":"PostToolUse","session_id":"s2","tool_name":"Read"}"#,
    );
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    s.ingest(&[spool_dir]).unwrap();
    let f = |e: EventFilter| {
        s.events(&e)
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        f(EventFilter {
            session: Some("s2".into()),
            ..Default::default()
        }),
        vec![3, 4]
    );
    assert_eq!(
        f(EventFilter {
            tool: Some("Bash".into()),
            ..Default::default()
        }),
        vec![1, 2]
    );
    assert_eq!(
        f(EventFilter {
            limit: Some(2),
            ..Default::default()
        }),
        vec![3, 4]
    );
    assert_eq!(
        f(EventFilter {
            after_id: Some(3),
            ..Default::default()
        }),
        vec![4]
    );
    let st = s.stats(None, 3).unwrap();
    assert_eq!(st.events, 4);
    assert_eq!(st.sessions, 2);
    assert_eq!(
        st.per_tool[0],
        ToolStat {
            tool: "Bash".into(),
            calls: 2,
            failures: 1,
            interrupts: 0
        }
    );
    assert_eq!(
        st.stop_failures,
        vec![Count {
            key: "rate_limit".into(),
            count: 1
        }]
    );
    assert_eq!(st.failures_per_project.len(), 2);
}

#[test]
fn orphaned_temp_files_are_salvaged() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let tmp = spool_dir.join(".tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // A writer killed half way: the header promises more bytes than exist.
    let mut bytes = serde_json::to_vec(&header("orphan", 1000)).unwrap();
    bytes.push(b'\n');
    bytes.extend_from_slice(&FAIL.as_bytes()[..40]);
    let f = tmp.join("orphan.ev");
    std::fs::write(&f, bytes).unwrap();
    let old = std::time::SystemTime::now() - Duration::from_secs(3600);
    File::options()
        .write(true)
        .open(&f)
        .unwrap()
        .set_modified(old)
        .unwrap();
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    assert_eq!(s.ingest(&[spool_dir]).unwrap().inserted, 1);
    let row = &s.events(&EventFilter::default()).unwrap()[0];
    assert!(row.truncated);
    assert!(row.parse_error.as_deref().unwrap().contains("incomplete"));
    assert!(!f.exists());
}

#[test]
fn many_first_openers_of_a_new_database_all_succeed() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("new").join("db.sqlite");
    let threads: Vec<_> = (0..16)
        .map(|_| {
            let db = db.clone();
            std::thread::spawn(move || Store::open(&db).map(|s| s.count().unwrap()))
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap().unwrap(), 0);
    }
}

fn stop_failure(dir: &Path, id: &str, time_us: i64, recovered: bool) {
    let payload = r#"{"hook_event_name":"StopFailure","session_id":"s9","error":"rate_limit"}"#;
    let mut h = header(id, payload.len());
    h.time_us = time_us;
    h.recovered = recovered.then(|| "uuid-1".to_string());
    spool::write(dir, &h, payload.as_bytes(), false).unwrap();
}

/// A StopFailure rebuilt from the transcript yields to the real one,
/// whichever is ingested first, and repeated rebuilds are stored once.
#[test]
fn a_rebuilt_stop_failure_yields_to_the_real_one_in_either_order() {
    let t = 1_700_000_000_000_000;
    for real_first in [true, false] {
        let d = tempfile::tempdir().unwrap();
        let sd = d.path().join("spool");
        let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
        stop_failure(
            &sd,
            if real_first { "a-real" } else { "b-rec" },
            t,
            !real_first,
        );
        s.ingest(std::slice::from_ref(&sd)).unwrap();
        stop_failure(
            &sd,
            if real_first { "b-rec" } else { "a-real" },
            t + 400_000,
            real_first,
        );
        s.ingest(std::slice::from_ref(&sd)).unwrap();
        let rows = s.events(&EventFilter::default()).unwrap();
        assert_eq!(rows.len(), 1, "real_first={real_first}");
        assert_eq!(rows[0].time_us, if real_first { t } else { t + 400_000 });
    }
    // Alone, the rebuilt one is kept; a second rebuild of the same entry is not added.
    let d = tempfile::tempdir().unwrap();
    let sd = d.path().join("spool");
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    stop_failure(&sd, "r-uuid-1", t, true);
    s.ingest(std::slice::from_ref(&sd)).unwrap();
    stop_failure(&sd, "r-uuid-1", t, true);
    s.ingest(std::slice::from_ref(&sd)).unwrap();
    assert_eq!(s.count().unwrap(), 1);
}

/// A database created by schema 1 is upgraded in place and keeps its rows.
#[test]
fn a_schema_1_database_is_migrated() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db.sqlite");
    {
        let c = Connection::open(&db).unwrap();
        c.execute_batch(MIGRATIONS[0]).unwrap();
        c.execute("INSERT INTO events (spool_id, time_us, event, original_size) VALUES ('old', 1, 'Stop', 2)", []).unwrap();
        c.pragma_update(None, "user_version", 1).unwrap();
    }
    let sd = d.path().join("spool");
    stop_failure(&sd, "new", 5, true);
    let mut s = Store::open(&db).unwrap();
    assert_eq!(s.ingest(&[sd]).unwrap().inserted, 1);
    assert_eq!(s.count().unwrap(), 2);
}

/// Migration 0009 fills the daily and all-time rollups from the hourly one
/// of a schema-8 store, and its triggers keep them (and the hourly one)
/// exact through inserts, reclassification and deletes.
#[test]
fn a_schema_8_database_gets_the_daily_and_total_rollups() {
    let d = tempfile::tempdir().unwrap();
    let db = d.path().join("db.sqlite");
    {
        let c = Connection::open(&db).unwrap();
        for m in &MIGRATIONS[..8] {
            c.execute_batch(m).unwrap();
        }
        for i in 0..30i64 {
            c.execute(
                "INSERT INTO events (spool_id, time_us, event, project, tool_name, class, original_size)
                 VALUES (?1, ?2, ?3, '/p', ?4, ?5, 2)",
                params![
                    format!("e{i}"),
                    1_700_000_000_000_000 + i * 5 * HOUR_US,
                    if i % 3 == 0 { "PostToolUseFailure" } else { "PostToolUse" },
                    if i % 2 == 0 { "Bash" } else { "Read" },
                    (i % 3 == 0).then_some("test")
                ],
            )
            .unwrap();
        }
        c.pragma_update(None, "user_version", 8).unwrap();
    }
    let sd = d.path().join("spool");
    put(&sd, "new", FAIL);
    let mut s = Store::open(&db).unwrap();
    s.ingest(&[sd]).unwrap();
    s.conn
        .execute("UPDATE events SET class = 'network' WHERE id IN (3, 4)", [])
        .unwrap();
    s.conn
        .execute("DELETE FROM events WHERE id IN (1, 2, 9)", [])
        .unwrap();
    let recount = |sql: &str| -> Vec<(String, i64)> {
        let mut st = s.conn.prepare(sql).unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(|r| r.unwrap())
            .collect()
    };
    let key = "event || '/' || coalesce(project, '') || '/' || coalesce(tool_name, '') || '/'
               || coalesce(mcp_server, '') || '/' || coalesce(class, '')";
    let rkey = "event || '/' || project || '/' || tool || '/' || mcp_server || '/' || class";
    for (table, t, et) in [
        ("rollup_hour", "hour_us", "time_us - time_us % 3600000000"),
        ("rollup_day", "day_us", "time_us - time_us % 86400000000"),
        ("rollup_total", "''", "''"),
    ] {
        assert_eq!(
            recount(&format!("SELECT {t} || {rkey}, n FROM {table} ORDER BY 1")),
            recount(&format!(
                "SELECT ({et}) || {key}, count(*) FROM events GROUP BY 1 ORDER BY 1"
            )),
            "{table}"
        );
    }
    assert_eq!(
        s.stats(None, 3).unwrap(),
        stats_by_scan(&s, None, 3).unwrap()
    );
}

#[test]
fn rescrub_replaces_old_values_resumes_and_leaves_no_trace_in_the_file() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let secret = "SECRETVALUE-7f3a9c";
    for i in 0..5 {
        let payload = FAIL.replace("Exit code 1", &format!("Exit code 1 token {secret} #{i}"));
        put(&spool_dir, &format!("r{i}"), &payload);
    }
    let db = d.path().join("db.sqlite");
    let mut s = Store::open(&db).unwrap();
    assert_eq!(
        s.ingest(std::slice::from_ref(&spool_dir)).unwrap().inserted,
        5
    );
    // Closing checkpoints the WAL: the old values are in the main file now.
    drop(s);
    let holds = |p: &Path| {
        std::fs::read(p).is_ok_and(|b| b.windows(secret.len()).any(|w| w == secret.as_bytes()))
    };
    assert!(holds(&db));
    let mut s = Store::open(&db).unwrap();
    let scrub = |v: &[u8]| {
        let text = String::from_utf8_lossy(v);
        text.contains(secret)
            .then(|| text.replace(secret, "[REDACTED:test]").into_bytes())
    };
    let mut seen = Vec::new();
    let mut progress = |p: rescrub::RescrubProgress| seen.push((p.table.to_string(), p.done));

    // Interrupted after one batch of two rows.
    let r = s.rescrub("v1", &scrub, 2, Some(1), &mut progress).unwrap();
    assert_eq!((r.scanned, r.changed, r.complete), (2, 2, false));
    // Resumed: the other three, then the other tables (empty).
    let r = s.rescrub("v1", &scrub, 2, None, &mut progress).unwrap();
    assert_eq!(
        (r.scanned, r.changed, r.complete, r.resumed_after),
        (3, 3, true, 2)
    );
    assert_eq!(seen.last().unwrap(), &("events".to_string(), 5));
    // Done with these rules: nothing to do.
    let r = s.rescrub("v1", &scrub, 2, None, &mut |_| {}).unwrap();
    assert_eq!((r.scanned, r.changed), (0, 0));
    // New rules: everything again, nothing left to change.
    let r = s.rescrub("v2", &scrub, 100, None, &mut |_| {}).unwrap();
    assert_eq!((r.scanned, r.changed), (5, 0));

    for row in s.events(&EventFilter::default()).unwrap() {
        let error = row.error.unwrap_or_default();
        assert!(error.contains("[REDACTED:test]"), "{error}");
    }
    drop(s);
    for entry in std::fs::read_dir(d.path()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            assert!(
                !holds(&path),
                "{} still holds the old value",
                path.display()
            );
        }
    }
}

/// `each_event` (export) hands over every selected row oldest first, with
/// `since` inclusive and `until` exclusive, and stops at the first error
/// the caller returns.
#[test]
fn each_event_streams_a_half_open_time_range_oldest_first() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let t = 1_700_000_000_000_000;
    for i in 0..5 {
        let payload = format!(r#"{{"hook_event_name":"Stop","session_id":"s{i}"}}"#);
        let mut h = header(&format!("e{i}"), payload.len());
        h.time_us = t + i * 1000;
        spool::write(&spool_dir, &h, payload.as_bytes(), false).unwrap();
    }
    let s = {
        let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
        s.ingest(&[spool_dir]).unwrap();
        s
    };
    let mut seen = Vec::new();
    let n = s
        .each_event(
            &EventFilter {
                since_us: Some(t + 1000),
                until_us: Some(t + 4000),
                limit: Some(1),
                ..Default::default()
            },
            |r| {
                seen.push(r.time_us - t);
                Ok::<(), StoreError>(())
            },
        )
        .unwrap();
    assert_eq!(n, 3);
    assert_eq!(seen, [1000, 2000, 3000]);
    let mut calls = 0;
    let err = s.each_event(&EventFilter::default(), |_| {
        calls += 1;
        Err(StoreError::Io {
            path: "out".into(),
            source: std::io::Error::other("disk full"),
        })
    });
    assert!(err.is_err());
    assert_eq!(calls, 1);
}

/// What `stats` computed before it read the rollups: a scan of the events.
/// Kept as the oracle the rollup version must equal.
fn stats_by_scan(s: &Store, since_us: Option<i64>, repeat_threshold: u32) -> Result<Stats> {
    let since = since_us.unwrap_or(i64::MIN);
    let counts = |sql: &str| {
        s.rows(sql, [since], |r| {
            Ok(Count {
                key: r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                count: r.get(1)?,
            })
        })
    };
    // Calls, failures and interrupts grouped by a tool-like column.
    let tool_stats = |column: &str| {
        s.rows(
            &format!(
                "SELECT {column}, count(*), sum(event = 'PostToolUseFailure'),
                        sum(coalesce(is_interrupt, 0))
                 FROM events WHERE time_us >= ?1 AND {column} IS NOT NULL
                   AND event IN ('PostToolUse','PostToolUseFailure')
                 GROUP BY {column} ORDER BY 3 DESC, 2 DESC, 1"
            ),
            [since],
            |r| {
                Ok(ToolStat {
                    tool: r.get(0)?,
                    calls: r.get(1)?,
                    failures: r.get(2)?,
                    interrupts: r.get(3)?,
                })
            },
        )
    };
    let (events, sessions, unparseable) = s
        .conn
        .query_row(
            "SELECT count(*), count(DISTINCT session_id), count(parse_error) FROM events WHERE time_us >= ?1",
            [since],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(sql_err(&s.path))?;
    Ok(Stats {
        events,
        sessions,
        unparseable,
        per_event: counts(
            "SELECT event, count(*) FROM events WHERE time_us >= ?1 GROUP BY event ORDER BY 2 DESC, 1",
        )?,
        failures_per_project: counts(
            "SELECT project, count(*) FROM events WHERE time_us >= ?1
             AND event IN ('PostToolUseFailure','StopFailure') GROUP BY project ORDER BY 2 DESC, 1",
        )?,
        stop_failures: counts(
            "SELECT error, count(*) FROM events WHERE time_us >= ?1 AND event = 'StopFailure'
             GROUP BY error ORDER BY 2 DESC, 1",
        )?,
        per_tool: tool_stats("tool_name")?,
        per_mcp_server: tool_stats("mcp_server")?,
        per_class: s.rows(
            "SELECT coalesce(class, 'unclassified'), count(*), sum(coalesce(expected, 0))
             FROM events WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
             GROUP BY 1 ORDER BY 2 DESC, 1",
            [since],
            |r| {
                Ok(ClassStat {
                    class: r.get(0)?,
                    failures: r.get(1)?,
                    expected: r.get(2)?,
                })
            },
        )?,
        top_fingerprints: s.rows(
            "SELECT fingerprint, max(tool_name), max(command_head), max(class),
                    max(coalesce(expected, 0)), count(*), count(DISTINCT session_id),
                    count(DISTINCT project), max(id), max(time_us)
             FROM events WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
               AND fingerprint IS NOT NULL AND fingerprint != '-'
             GROUP BY fingerprint ORDER BY 6 DESC, 10 DESC LIMIT 20",
            [since],
            |r| {
                Ok(FingerprintStat {
                    fingerprint: r.get(0)?,
                    tool: r.get(1)?,
                    command_head: r.get(2)?,
                    class: r.get(3)?,
                    expected: r.get(4)?,
                    count: r.get(5)?,
                    sessions: r.get(6)?,
                    projects: r.get(7)?,
                    last_id: r.get(8)?,
                    last_time_us: r.get(9)?,
                })
            },
        )?,
        repeated: s.rows(
            "SELECT session_id, fingerprint, max(tool_name), max(command_head), count(*), max(id)
             FROM events WHERE time_us >= ?1 AND event = 'PostToolUseFailure'
               AND fingerprint IS NOT NULL AND fingerprint != '-' AND session_id IS NOT NULL
             GROUP BY session_id, fingerprint HAVING count(*) >= ?2
             ORDER BY 5 DESC, 6 DESC LIMIT 20",
            params![since, repeat_threshold.max(2)],
            |r| {
                Ok(RepeatStat {
                    session_id: r.get(0)?,
                    fingerprint: r.get(1)?,
                    tool: r.get(2)?,
                    command_head: r.get(3)?,
                    count: r.get(4)?,
                    last_id: r.get(5)?,
                })
            },
        )?,
        guard: s.rows(
            "SELECT guard_decision, coalesce(json_extract(outcome, '$.guard.policy'), ''), count(*)
             FROM events WHERE time_us >= ?1 AND guard_decision IS NOT NULL
             GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2",
            [since],
            |r| {
                Ok(GuardStat {
                    decision: r.get(0)?,
                    policy: r.get(1)?,
                    count: r.get(2)?,
                })
            },
        )?,
    })
}

#[test]
fn stats_from_the_rollups_equal_a_scan_of_the_events() {
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    const H: i64 = HOUR_US;
    let t0 = 1_700_000_000_000_000 - 1_700_000_000_000_000 % H; // an hour's start
    let events = [
        (
            0,
            r#"{"hook_event_name":"PostToolUse","session_id":"a","cwd":"/p","tool_name":"Bash"}"#,
            None,
        ),
        (H / 2, FAIL, Some(("fp1", "test"))),
        (
            H + 5,
            r#"{"hook_event_name":"PostToolUseFailure","session_id":"a","cwd":"/p","tool_name":"Bash","error":"x","is_interrupt":true}"#,
            Some(("fp2", "interrupted")),
        ),
        (
            H + 7,
            r#"{"hook_event_name":"PostToolUse","session_id":"b","cwd":"/q","tool_name":"mcp__github__get_issue"}"#,
            None,
        ),
        (
            2 * H - 3,
            r#"{"hook_event_name":"PostToolUseFailure","session_id":"b","cwd":"/q","tool_name":"mcp__github__get_issue","error":"MCP error","is_interrupt":true}"#,
            Some(("fp3", "mcp_server")),
        ),
        (
            2 * H + 1,
            r#"{"hook_event_name":"StopFailure","session_id":"b","cwd":"/q","error":"rate_limit"}"#,
            None,
        ),
        (3 * H, FAIL, Some(("fp1", "test"))),
        (
            3 * H + 9,
            r#"{"hook_event_name":"PreToolUse","session_id":"c","tool_name":"Read"}"#,
            None,
        ),
        (3 * H + 10, "not json", None),
        (
            4 * H + 1,
            r#"{"hook_event_name":"StopFailure","session_id":"c","error":"overloaded"}"#,
            None,
        ),
    ];
    for (i, (dt, payload, failure)) in events.iter().enumerate() {
        let mut h = header(&format!("{i:03}"), payload.len());
        h.time_us = t0 + dt;
        if *payload == "not json" {
            h.parse_error = Some("stdin is not JSON".into());
        }
        h.outcome = failure.map(|(fp, class)| spool::Outcome {
            failure: Some(spool::FailureOutcome {
                fingerprint: fp.into(),
                class: class.into(),
                expected: class == "test",
                ..Default::default()
            }),
            ..Default::default()
        });
        spool::write(&spool_dir, &h, payload.as_bytes(), false).unwrap();
    }
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    s.ingest(&[spool_dir]).unwrap();
    for since in [
        None,
        Some(t0 - 1),
        Some(t0),
        Some(t0 + 1),
        Some(t0 + H / 2),
        Some(t0 + H + 6),
        Some(t0 + 2 * H),
        Some(t0 + 3 * H + 10),
        Some(t0 + 9 * H),
    ] {
        let st = s.stats(since, 2).unwrap();
        assert_eq!(st, stats_by_scan(&s, since, 2).unwrap(), "since {since:?}");
        if since.is_none() {
            assert_eq!((st.events, st.sessions, st.unparseable), (10, 4, 1));
            assert_eq!(st.per_tool.iter().map(|t| t.interrupts).sum::<i64>(), 2);
            assert_eq!(st.per_mcp_server[0].interrupts, 1);
        }
    }
}

/// Attention decisions: exactly once per event (a cursor moved with them),
/// a held one settled once, what a turn did, and the outbox's 30 days.
#[test]
fn attention_decisions_turn_facts_and_pruning() {
    use crate::attention::NewAttention;
    let d = tempfile::tempdir().unwrap();
    let spool_dir = d.path().join("spool");
    let mut s = Store::open(&d.path().join("db.sqlite")).unwrap();
    let ev = |id: &str, t: i64, json: &str| {
        let mut h = header(id, json.len());
        h.time_us = t;
        spool::write(&spool_dir, &h, json.as_bytes(), false).unwrap();
    };
    let base = 1_700_000_000_000_000;
    ev(
        "a",
        base,
        r#"{"hook_event_name":"UserPromptSubmit","session_id":"s","prompt":"fix the login bug","prompt_id":"p1"}"#,
    );
    ev(
        "b",
        base + 1_000_000,
        r#"{"hook_event_name":"PostToolUse","session_id":"s","tool_name":"Write","tool_input":{"file_path":"/x/a"},"prompt_id":"p1"}"#,
    );
    ev(
        "c",
        base + 2_000_000,
        r#"{"hook_event_name":"PostToolUse","session_id":"s","tool_name":"Edit","tool_input":{"file_path":"/x/a"},"prompt_id":"p1"}"#,
    );
    ev(
        "d",
        base + 3_000_000,
        FAIL.replace("\"s1\"", "\"s\"").as_str(),
    );
    ev(
        "e",
        base + 9_000_000,
        r#"{"hook_event_name":"Stop","session_id":"s","prompt_id":"p1"}"#,
    );
    ev(
        "f",
        base + 9_500_000,
        r#"{"hook_event_name":"Stop","session_id":"s","prompt_id":"p1"}"#,
    );
    s.ingest(std::slice::from_ref(&spool_dir)).unwrap();
    // The cursor started at the newest event when the table was made (0
    // here: the database was new), so all six are unseen.
    let (cursor, rows) = s.unseen_by_attention(100).unwrap();
    assert_eq!((cursor, rows.len()), (0, 6));
    let facts = s.turn_facts("s", rows[5].id, Some("p1")).unwrap();
    assert_eq!(
        facts.start_us,
        Some(base),
        "the prompt starts the turn, not the first Stop"
    );
    assert_eq!(
        (facts.tool_calls, facts.files_written, facts.failures),
        (3, 1, 1)
    );
    assert_eq!(
        s.first_prompt("s").unwrap().as_deref(),
        Some("fix the login bug")
    );
    let held = NewAttention {
        event_id: rows[4].id,
        time_us: rows[4].time_us,
        session: Some("s".into()),
        kind: "done".into(),
        cause: "Stop".into(),
        turn_key: Some("s/p1".into()),
        state: "held".into(),
        reason: None,
        due_us: Some(rows[4].time_us + 2_000_000),
        notifications: Vec::new(),
    };
    assert!(s
        .commit_attention(
            Some((0, rows[4].id)),
            std::slice::from_ref(&held),
            &[],
            base
        )
        .unwrap());
    // A second worker that read the same cursor writes nothing.
    assert!(!s
        .commit_attention(
            Some((0, rows[4].id)),
            std::slice::from_ref(&held),
            &[],
            base
        )
        .unwrap());
    assert_eq!(s.attention_log(10).unwrap().len(), 1);
    assert!(s.attention_behind().unwrap());
    assert_eq!(
        s.next_attention_due().unwrap(),
        Some(rows[4].time_us + 2_000_000)
    );
    assert!(s.due_attention(base).unwrap().is_empty());
    let due = s.due_attention(rows[4].time_us + 2_000_000).unwrap();
    assert_eq!(due.len(), 1);
    let sent = NewAttention {
        state: "sent".into(),
        ..held.clone()
    };
    s.commit_attention(None, &[], &[(due[0].id, sent.clone())], base)
        .unwrap();
    // Settling again changes nothing: only a held row is settled.
    let again = NewAttention {
        state: "suppressed".into(),
        ..held
    };
    s.commit_attention(None, &[], &[(due[0].id, again)], base)
        .unwrap();
    let log = s.attention_log(10).unwrap();
    assert_eq!(log[0].state, "sent");
    assert_eq!(s.attention_of_turn("s/p1").unwrap().unwrap().state, "sent");
    assert_eq!(
        s.last_attention_sent("s", "done").unwrap(),
        Some(rows[4].time_us)
    );
    assert!(
        s.session_went_on("s", rows[4].id).unwrap(),
        "the second Stop"
    );
    assert!(!s.session_went_on("s", rows[5].id).unwrap());
    s.prune_outbox(rows[4].time_us + 1).unwrap();
    assert!(s.attention_log(10).unwrap().is_empty());
}

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

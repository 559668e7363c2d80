//! Keys named after a service whose credentials have a known shape but no
//! prefix: `cloudflare: "<40>"`, `SONAR_LOGIN=<40>`, `HEROKU_KEY=<uuid>`,
//! `sumologic.accessId = "su<12>"`, `confluentToken=<16>`. The name alone
//! says nothing secret (`SONAR_LOGIN`, `MessageBirdClientID`), and the
//! value alone is any UUID or run of letters; together they are a
//! credential (gitleaks' "semi-generic" rules, same services and shapes).
//!
//! Asked only for keys whose letter pairs ([`crate::generic::key_pairs`])
//! contain those of a service name, so ordinary keys cost nothing more.

use crate::generic::pair::*;
use crate::shape::*;

/// Might `key` name one of the services below? `pairs` is
/// [`crate::generic::key_pairs`] of it.
pub(crate) fn named(pairs: u32) -> bool {
    let has = |bits: u32| pairs & bits == bits;
    has(DF) // cloudflare
        || has(NF | LU) // confluent
        || has(GR | PH) // sourcegraph
        || has(SU | MO) // sumo, sumologic
        || has(IF | FA) // artifactory
        || has(JF) // jfrog
        || has(KU) // heroku
        || has(HU) // hubspot, hubapi
        || has(YK) // snyk
        || has(BI | RD) // messagebird
        || has(SO | NA) // sonar
}

/// Shapes a service's credentials take.
#[derive(Clone, Copy)]
enum Shape {
    /// Exactly this many bytes of the set.
    Run(usize, u16),
    /// 8-4-4-4-12 hex digits.
    Uuid,
    /// `su` + 12 alphanumerics (Sumo Logic access ids).
    SumoId,
    /// An optional `squ_`, `sqp_` or `sqa_`, then 40 (SonarQube tokens).
    Sonar,
}

struct Service {
    /// In the key's lower-cased letters and digits, separators dropped.
    name: &'static [u8],
    /// Only as a word of its own or the start of one: `sumo` and
    /// `SumoLogic`, not `sumOfExposures` or `consumo`.
    word_start: bool,
    shapes: &'static [Shape],
}

const EXTENDED: u16 = ALNUM | DASH | UNDERSCORE | EQUALS;

#[rustfmt::skip]
const SERVICES: &[Service] = &[
    Service { name: b"cloudflare", word_start: false, shapes: &[Shape::Run(40, ALNUM | DASH | UNDERSCORE), Shape::Run(37, HEX_ANY)] },
    Service { name: b"confluent", word_start: false, shapes: &[Shape::Run(16, ALNUM), Shape::Run(64, ALNUM)] },
    Service { name: b"sourcegraph", word_start: false, shapes: &[Shape::Run(40, HEX_ANY)] },
    Service { name: b"sumo", word_start: true, shapes: &[Shape::SumoId, Shape::Run(64, ALNUM)] },
    Service { name: b"artifactory", word_start: false, shapes: &[Shape::Run(64, ALNUM), Shape::Run(73, ALNUM)] },
    Service { name: b"jfrog", word_start: false, shapes: &[Shape::Run(64, ALNUM), Shape::Run(73, ALNUM)] },
    Service { name: b"heroku", word_start: false, shapes: &[Shape::Uuid] },
    Service { name: b"hubspot", word_start: false, shapes: &[Shape::Uuid] },
    Service { name: b"hubapi", word_start: false, shapes: &[Shape::Uuid] },
    Service { name: b"snyk", word_start: false, shapes: &[Shape::Uuid] },
    Service { name: b"messagebird", word_start: false, shapes: &[Shape::Uuid, Shape::Run(25, ALNUM)] },
    Service { name: b"sonar", word_start: true, shapes: &[Shape::Sonar] },
];

/// Is `v`, assigned to `key`, a credential of the service `key` names?
pub(crate) fn credential(key: &[u8], v: &[u8]) -> bool {
    if v.len() < 14 || v.len() > 80 || !not_masked(v) || entropy(v) < 2.0 {
        return false;
    }
    // The key's letters and digits, lower-cased, with where words start.
    let key = &key[key.len().saturating_sub(64)..];
    let mut letters = [0u8; 64];
    let mut starts = 0u64;
    let mut n = 0;
    let mut prev = b'_';
    for &b in key {
        if b.is_ascii_alphanumeric() {
            if !prev.is_ascii_alphanumeric()
                || (b.is_ascii_uppercase() && prev.is_ascii_lowercase())
            {
                starts |= 1 << n;
            }
            letters[n] = b.to_ascii_lowercase();
            n += 1;
        }
        prev = b;
    }
    let letters = &letters[..n];
    SERVICES.iter().any(|s| {
        let len = s.name.len();
        // A word that starts the name and no word that starts inside it.
        let inner = (1u64 << len) - 2;
        let found = letters
            .windows(len)
            .enumerate()
            .any(|(at, w)| w == s.name && (!s.word_start || (starts >> at) & (inner | 1) == 1));
        found && s.shapes.iter().any(|&shape| fits(shape, v))
    })
}

fn fits(shape: Shape, v: &[u8]) -> bool {
    match shape {
        Shape::Run(len, set) => v.len() == len && all_in(v, set),
        Shape::Uuid => {
            v.len() == 36
                && [8, 13, 18, 23].iter().all(|&d| v[d] == b'-')
                && v.iter()
                    .enumerate()
                    .all(|(i, &b)| matches!(i, 8 | 13 | 18 | 23) || is(b, HEX_ANY))
        }
        Shape::SumoId => v.len() == 14 && v.starts_with(b"su") && all_in(v, ALNUM),
        Shape::Sonar => {
            let body = match v.get(..4) {
                Some(b"squ_" | b"sqp_" | b"sqa_") => &v[4..],
                _ => v,
            };
            body.len() == 40 && all_in(body, EXTENDED)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::key_pairs;

    /// The letter-pair prefilter lets every service's name through, in any
    /// case and with separators.
    #[test]
    fn every_service_passes_the_prefilter() {
        for s in SERVICES {
            let name = std::str::from_utf8(s.name).unwrap();
            for key in [
                name.to_string(),
                name.to_uppercase(),
                format!("{}_API_TOKEN", name.to_uppercase()),
            ] {
                assert!(named(key_pairs(key.as_bytes())), "{key}");
            }
        }
    }

    #[test]
    fn names_and_shapes_go_together() {
        let uuid = b"5f0c8a9e-2b7d-4e61-9c3a-8d1f4b6e7a20";
        assert!(credential(b"HEROKU_API_KEY", uuid));
        assert!(credential(b"MessageBirdClientID", uuid));
        assert!(!credential(b"kms_key_id", uuid));
        let run64 = b"3Kof2VffNQ0QgYIhXUPJosVlCaQKm2hfpWE6F1fT9YGY74blQBIPsrkCcf1TwKE5";
        assert!(credential(b"SUMO_ACCESS_KEY", run64));
        assert!(credential(b"SumoLogicKey", run64));
        assert!(!credential(b"sumOfExposures", run64));
        assert!(!credential(b"consumo", run64));
        assert!(credential(
            b"sonar.login",
            b"squ_g79nxl9vbxexlya369zmasrk5cmfbqmym8oiaed2"
        ));
        assert!(!credential(
            b"personal_login",
            b"g79nxl9vbxexlya369zmasrk5cmfbqmym8oiaed2"
        ));
        assert!(!credential(
            b"SONAR_TOKEN",
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        ));
    }
}

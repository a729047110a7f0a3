//! Anonymous sessions: who may change a todo. A client gets a session with its first create, as
//! a cookie; the todo records the session's [`Author`] (a SHA-256 of it), never the session.
//! Only a request carrying that session may then edit or delete the todo.
//!
//! The session is a bearer secret of 256 random bits from the host (`wasi:random`): it cannot be
//! guessed, so an unknown session that is well formed is simply a session that wrote nothing.

use http_layer::lower_hex;
use sha2::{Digest, Sha256};

/// The cookie's name.
pub const COOKIE_NAME: &str = "todo_session";
/// Random bytes in a session; written as twice as many lowercase hex digits.
const SESSION_BYTES: usize = 32;
/// As long as browsers keep a cookie (they cap lifetimes at 400 days); renewed by every create.
const MAX_AGE_SECONDS: u32 = 400 * 24 * 60 * 60;

/// A session as the client holds it: [`SESSION_BYTES`] random bytes in lowercase hex.
#[derive(Clone, PartialEq, Eq)]
pub struct Session(String);

/// What the database keeps of a session: its SHA-256. Enough to recognise the session, useless
/// to present as one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Author([u8; 32]);

impl Session {
    /// A new session from the host's cryptographically secure random source.
    pub fn generate() -> Session {
        Session::from_random_bytes(&wasi::random::random::get_random_bytes(SESSION_BYTES as u64))
    }

    fn from_random_bytes(bytes: &[u8]) -> Session {
        assert_eq!(bytes.len(), SESSION_BYTES, "the host returns as many random bytes as asked for");
        Session(lower_hex(bytes))
    }

    /// A session as sent back by a client: exactly [`SESSION_BYTES`] bytes in lowercase hex,
    /// anything else is not a session.
    pub fn parse(raw: &str) -> Option<Session> {
        let well_formed =
            raw.len() == 2 * SESSION_BYTES && raw.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f'));
        well_formed.then(|| Session(raw.to_owned()))
    }

    pub fn author(&self) -> Author {
        let digest = Sha256::digest(self.0.as_bytes());
        let mut hash = [0; 32];
        hash.copy_from_slice(&digest);
        Author(hash)
    }

    /// The `Set-Cookie` value giving the client this session: not readable by scripts, sent
    /// back only on requests from this site, `Secure` when the client reached us over HTTPS.
    pub fn set_cookie(&self, over_https: bool) -> String {
        let secure = if over_https { "; Secure" } else { "" };
        format!("{COOKIE_NAME}={}; Path=/; Max-Age={MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict{secure}", self.0)
    }
}

/// Never printed: a session in a log would be a session given away.
impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Session(..)")
    }
}

impl Author {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// The session in a request's `Cookie` header lines, if a well-formed one. Cookies that are not
/// ours, not UTF-8 or not well formed are ignored: a stale or foreign cookie makes a request
/// anonymous, never a failure.
pub(crate) fn cookie_session(headers: &[Vec<u8>]) -> Option<Session> {
    headers
        .iter()
        .filter_map(|header| std::str::from_utf8(header).ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == COOKIE_NAME)
        .find_map(|(_, value)| Session::parse(value.trim_matches('"')))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SESSION: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    fn cookies(lines: &[&str]) -> Option<Session> {
        cookie_session(&lines.iter().map(|line| line.as_bytes().to_vec()).collect::<Vec<_>>())
    }

    #[test]
    fn a_session_is_256_bits_in_lowercase_hex() {
        let session = Session::from_random_bytes(&[0xab; SESSION_BYTES]);
        assert_eq!(session.0, "ab".repeat(SESSION_BYTES));
        assert_eq!(Session::parse(&session.0), Some(session));
        for forged in
            ["", "abc", &SESSION.to_uppercase(), &SESSION[1..], &format!("{SESSION}0"), &SESSION.replace('0', "g")]
        {
            assert_eq!(Session::parse(forged), None, "{forged}");
        }
    }

    #[test]
    fn the_author_is_the_sha256_of_the_session() {
        let author = Session::parse(SESSION).unwrap().author();
        assert_eq!(author.as_bytes(), Sha256::digest(SESSION.as_bytes()).as_slice());
        assert_ne!(author.as_bytes(), SESSION.as_bytes());
        let other = Session::parse(&SESSION.replace('0', "1")).unwrap().author();
        assert_ne!(author, other);
    }

    #[test]
    fn the_cookie_is_http_only_same_site_strict_long_lived_and_secure_over_https() {
        let session = Session::parse(SESSION).unwrap();
        let plain = session.set_cookie(false);
        assert_eq!(plain, format!("todo_session={SESSION}; Path=/; Max-Age=34560000; HttpOnly; SameSite=Strict"));
        assert_eq!(session.set_cookie(true), format!("{plain}; Secure"));
    }

    #[test]
    fn the_session_is_found_among_other_cookies_and_header_lines() {
        let expected = Session::parse(SESSION);
        assert_eq!(cookies(&[&format!("todo_session={SESSION}")]), expected);
        assert_eq!(cookies(&[&format!("theme=dark; todo_session={SESSION}; lang=fi")]), expected);
        assert_eq!(cookies(&["theme=dark", &format!("todo_session=\"{SESSION}\"")]), expected);
        assert_eq!(cookies(&["todo_session=forged", &format!("todo_session={SESSION}")]), expected);
    }

    #[test]
    fn no_session_without_a_well_formed_cookie_of_ours() {
        for lines in [
            vec![],
            vec!["theme=dark"],
            vec!["todo_session="],
            vec!["todo_session=0123"],
            vec!["TODO_SESSION=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"],
            vec!["other_todo_session=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"],
        ] {
            assert_eq!(cookies(&lines), None, "{lines:?}");
        }
        assert_eq!(cookie_session(&[b"todo_session=\xff".to_vec()]), None);
    }

    #[test]
    fn the_session_never_shows_in_debug_output() {
        assert_eq!(format!("{:?}", Session::parse(SESSION).unwrap()), "Session(..)");
    }
}

//! Sync errors as codes (what the UI branches on) and as sentences in the user's language
//! (what the sync status shows), Bahasa Indonesia first.

use teduh_core::settings::Language;
use teduh_core::sync::SyncError;

/// The stable code of a sync error, shared by command errors and the sync status.
pub fn code(e: &SyncError) -> &'static str {
    match e {
        SyncError::Offline(_) => "ServerUnreachable",
        SyncError::BadCredentials => "BadCredentials",
        SyncError::BadInvitation(_) => "InvalidInvitation",
        SyncError::Revoked => "DeviceRevoked",
        SyncError::SessionExpired => "SessionExpired",
        SyncError::NotJoined => "NotJoined",
        SyncError::Refused { code, .. } if code == "UsernameTaken" => "UsernameTaken",
        SyncError::Refused { .. } => "ServerRefused",
        SyncError::Protocol(_) => "ServerProtocol",
        SyncError::OtherServer(_) => "ServerMismatch",
        SyncError::Vault(v) => crate::ipc::IpcError::vault_code(v),
    }
}

/// What to tell the user about `code`, in `language`.
pub fn user_message(code: &str, language: Language) -> String {
    let (id, en) = match code {
        "ServerUnreachable" => (
            "Server tidak dapat dihubungi. Catatan tetap tersimpan di perangkat ini dan dikirim otomatis saat sambungan kembali.",
            "The server cannot be reached. Records stay on this device and are sent automatically when the connection returns.",
        ),
        "BadCredentials" => (
            "Nama pengguna atau frasa sandi salah.",
            "Wrong username or passphrase.",
        ),
        "InvalidInvitation" => (
            "Kode undangan tidak berlaku (salah ketik, sudah dipakai, atau kedaluwarsa). Minta kode baru kepada admin.",
            "The invitation code is not valid (mistyped, already used or expired). Ask your administrator for a new one.",
        ),
        "DeviceRevoked" => (
            "Perangkat ini sudah dicabut dari tim dan tidak lagi disinkronkan. Hubungi supervisor atau admin Anda.",
            "This device was revoked from the team and no longer syncs. Contact your supervisor or administrator.",
        ),
        "SessionExpired" => (
            "Sesi perangkat ini dengan server sudah berakhir. Hubungi admin Anda.",
            "This device's session with the server has expired. Contact your administrator.",
        ),
        "UsernameTaken" => (
            "Nama pengguna ini sudah dipakai. Pilih nama lain, atau kosongkan kode undangan bila ini akun Anda sendiri.",
            "This username is taken. Choose another, or leave the invitation code empty if it is your own account.",
        ),
        "ServerRefused" => (
            "Server menolak permintaan sinkronisasi. Teduh akan mencoba lagi; bila terus terjadi, hubungi admin.",
            "The server refused the sync request. Teduh will try again; if it keeps happening, contact your administrator.",
        ),
        "ServerProtocol" => (
            "Jawaban server tidak dapat dipahami. Periksa alamat server atau hubungi admin.",
            "The server's answer could not be understood. Check the server address or contact your administrator.",
        ),
        "ServerMismatch" => (
            "Server di alamat ini bukan server tim Anda (organisasi lain, atau server yang tidak mengenal perangkat ini). Alamat tidak diubah; tanyakan alamat yang benar kepada admin.",
            "The server at this address is not your team's server (another organisation, or a server that does not know this device). The address was not changed; ask your administrator for the right one.",
        ),
        "NotJoined" => (
            "Perangkat ini belum bergabung dengan organisasi.",
            "This device has not joined an organisation yet.",
        ),
        "Locked" => (
            "Teduh terkunci; sinkronisasi dijeda sampai dibuka kembali.",
            "Teduh is locked; sync is paused until it is unlocked.",
        ),
        "WrongPassphrase" => (
            "Frasa sandi salah. Periksa tombol Caps Lock lalu coba lagi.",
            "Wrong passphrase. Check Caps Lock and try again.",
        ),
        "DiskFull" => (
            "Disk penuh: catatan yang diterima belum tersimpan. Kosongkan ruang disk.",
            "The disk is full: received records were not saved. Free some disk space.",
        ),
        _ => (
            "Sinkronisasi gagal. Teduh akan mencoba lagi nanti.",
            "Sync failed. Teduh will try again later.",
        ),
    };
    match language {
        Language::Indonesian => id.to_owned(),
        Language::English => en.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sync_error_has_a_sentence_in_both_languages() {
        let errors = [
            SyncError::Offline("refused".into()),
            SyncError::BadCredentials,
            SyncError::BadInvitation("used".into()),
            SyncError::Revoked,
            SyncError::SessionExpired,
            SyncError::NotJoined,
            SyncError::Refused {
                code: "UsernameTaken".into(),
                message: String::new(),
            },
            SyncError::Protocol("garbled".into()),
            SyncError::OtherServer("another organisation".into()),
        ];
        let fallback = user_message("SomethingElse", Language::Indonesian);
        for e in &errors {
            let c = code(e);
            let id = user_message(c, Language::Indonesian);
            let en = user_message(c, Language::English);
            assert_ne!(id, fallback, "{c} needs its own sentence");
            assert_ne!(id, en, "{c}: Indonesian and English differ");
        }
    }
}

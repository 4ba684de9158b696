// The i18n catalogue. Bahasa Indonesia is the source language; English must have every key
// (the type below makes a missing translation a compile error).

export const id = {
  'app.name': 'Teduh',
  'app.tagline': 'Catatan pendampingan yang aman, juga tanpa internet.',
  'home.title': 'Selamat datang di Teduh',
  'home.intro':
    'Teduh membantu konselor dan pekerja sosial mencatat sesi, skrining, dan rujukan dengan aman di perangkat ini.',
  'language.label': 'Bahasa',
  'language.id': 'Bahasa Indonesia',
  'language.en': 'English',
  'about.heading': 'Tentang instalasi ini',
  'about.version': 'Versi',
  'about.dataDir': 'Folder data',
  'about.schema': 'Versi skema data',
  'about.server': 'Server sinkronisasi',
  'server.notConfigured': 'Belum terhubung ke server (hanya di komputer ini)',
  'server.checking': 'Memeriksa server…',
  'server.online': 'Terhubung: {url} (versi server {version})',
  'server.offline': 'Tidak terhubung: {url}. Pekerjaan tetap tersimpan di perangkat ini.',
  'error.ipc': 'Teduh tidak dapat membaca data inti aplikasi. Tutup lalu buka kembali aplikasi. ({code})',
  'error.InvalidInput': 'Isian tidak valid.',
  'error.SettingsFailed': 'Pengaturan tidak dapat disimpan. Periksa ruang disk lalu coba lagi.',
} as const;

export type MessageKey = keyof typeof id;
export type Catalogue = Record<MessageKey, string>;

export const en: Catalogue = {
  'app.name': 'Teduh',
  'app.tagline': 'Safe counselling records, even offline.',
  'home.title': 'Welcome to Teduh',
  'home.intro':
    'Teduh helps counselors and social workers record sessions, screenings and referrals safely on this device.',
  'language.label': 'Language',
  'language.id': 'Bahasa Indonesia',
  'language.en': 'English',
  'about.heading': 'About this installation',
  'about.version': 'Version',
  'about.dataDir': 'Data folder',
  'about.schema': 'Data schema version',
  'about.server': 'Sync server',
  'server.notConfigured': 'Not connected to a server (this computer only)',
  'server.checking': 'Checking the server…',
  'server.online': 'Connected: {url} (server version {version})',
  'server.offline': 'Not connected: {url}. Your work stays saved on this device.',
  'error.ipc': 'Teduh cannot read the app core. Close and reopen the app. ({code})',
  'error.InvalidInput': 'Invalid input.',
  'error.SettingsFailed': 'The settings could not be saved. Check the disk space and try again.',
};

export const catalogues = { id, en } as const;
export type Locale = keyof typeof catalogues;
export const locales: readonly Locale[] = ['id', 'en'];

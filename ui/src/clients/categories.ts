// The categories a client's profile carries for the agencies' reports: PPKS (Pemerlu Pelayanan
// Kesejahteraan Sosial, the 26 categories of Permensos No. 8/2012) and AMPK (anak yang memerlukan
// perlindungan khusus, the 15 groups of UU No. 35/2014 Pasal 59 ayat 2). Stored by code; a code
// not in these lists (typed before, or by a newer app) is kept and shown as it is.
import type { Locale } from '../lib/i18n/catalogue';

export interface ClientCategory {
  code: string;
  id: string;
  en: string;
}

const c = (code: string, id: string, en: string): ClientCategory => ({ code, id, en });

export const PPKS: ClientCategory[] = [
  c('anak-balita-terlantar', 'Anak balita terlantar', 'Neglected child under five'),
  c('anak-terlantar', 'Anak terlantar', 'Neglected child'),
  c('anak-berhadapan-hukum', 'Anak yang berhadapan dengan hukum', 'Child in conflict with the law'),
  c('anak-jalanan', 'Anak jalanan', 'Street child'),
  c('anak-disabilitas', 'Anak dengan kedisabilitasan', 'Child with a disability'),
  c('anak-korban-kekerasan', 'Anak korban tindak kekerasan atau diperlakukan salah', 'Child victim of violence or abuse'),
  c('anak-perlindungan-khusus', 'Anak yang memerlukan perlindungan khusus', 'Child in need of special protection'),
  c('lansia-terlantar', 'Lanjut usia terlantar', 'Neglected older person'),
  c('penyandang-disabilitas', 'Penyandang disabilitas', 'Person with a disability'),
  c('tuna-susila', 'Tuna susila', 'Person in prostitution'),
  c('gelandangan', 'Gelandangan', 'Homeless person'),
  c('pengemis', 'Pengemis', 'Beggar'),
  c('pemulung', 'Pemulung', 'Waste picker'),
  c('kelompok-minoritas', 'Kelompok minoritas', 'Minority group'),
  c('bekas-warga-binaan', 'Bekas warga binaan lembaga pemasyarakatan', 'Former prisoner'),
  c('odha', 'Orang dengan HIV/AIDS', 'Person living with HIV/AIDS'),
  c('korban-napza', 'Korban penyalahgunaan NAPZA', 'Victim of drug abuse'),
  c('korban-perdagangan-orang', 'Korban perdagangan orang', 'Victim of trafficking'),
  c('korban-kekerasan', 'Korban tindak kekerasan', 'Victim of violence'),
  c('pekerja-migran-bermasalah', 'Pekerja migran bermasalah sosial', 'Migrant worker with social problems'),
  c('korban-bencana-alam', 'Korban bencana alam', 'Victim of a natural disaster'),
  c('korban-bencana-sosial', 'Korban bencana sosial', 'Victim of a social disaster'),
  c('perempuan-rawan-sosial-ekonomi', 'Perempuan rawan sosial ekonomi', 'Woman at social and economic risk'),
  c('fakir-miskin', 'Fakir miskin', 'Person in poverty'),
  c('keluarga-bermasalah-psikologis', 'Keluarga bermasalah sosial psikologis', 'Family with psychosocial problems'),
  c('komunitas-adat-terpencil', 'Komunitas adat terpencil', 'Remote indigenous community'),
];

export const AMPK: ClientCategory[] = [
  c('situasi-darurat', 'Anak dalam situasi darurat', 'Child in an emergency'),
  c('berhadapan-hukum', 'Anak yang berhadapan dengan hukum', 'Child in contact with the law'),
  c('minoritas-terisolasi', 'Anak dari kelompok minoritas dan terisolasi', 'Child of a minority or isolated group'),
  c('eksploitasi', 'Anak yang dieksploitasi secara ekonomi dan/atau seksual', 'Child exploited economically or sexually'),
  c('korban-napza', 'Anak korban penyalahgunaan narkotika, alkohol, psikotropika dan zat adiktif', 'Child victim of drug or alcohol abuse'),
  c('korban-pornografi', 'Anak korban pornografi', 'Child victim of pornography'),
  c('hiv-aids', 'Anak dengan HIV/AIDS', 'Child with HIV/AIDS'),
  c('korban-penculikan-perdagangan', 'Anak korban penculikan, penjualan dan/atau perdagangan', 'Child victim of abduction, sale or trafficking'),
  c('korban-kekerasan', 'Anak korban kekerasan fisik dan/atau psikis', 'Child victim of physical or psychological violence'),
  c('korban-kejahatan-seksual', 'Anak korban kejahatan seksual', 'Child victim of sexual crime'),
  c('korban-terorisme', 'Anak korban jaringan terorisme', 'Child victim of terrorist networks'),
  c('disabilitas', 'Anak penyandang disabilitas', 'Child with a disability'),
  c('korban-penelantaran', 'Anak korban perlakuan salah dan penelantaran', 'Child victim of maltreatment or neglect'),
  c('perilaku-menyimpang', 'Anak dengan perilaku sosial menyimpang', 'Child with deviant social behaviour'),
  c('korban-stigmatisasi', 'Anak korban stigmatisasi terkait kondisi orang tuanya', 'Child stigmatised for a parent\'s condition'),
];

/** The choices of a list with what the profile already carries: its known categories in the
 * list's order, then any code the list does not know (kept, shown as it is). */
export function categoryChoices(list: ClientCategory[], chosen: string[], locale: Locale): { code: string; label: string }[] {
  const known = list.map((k) => ({ code: k.code, label: k[locale] }));
  const others = chosen.filter((code) => !list.some((k) => k.code === code)).map((code) => ({ code, label: code }));
  return [...known, ...others];
}

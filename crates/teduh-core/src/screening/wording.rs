//! The instruments' wording: every item in Bahasa Indonesia and English, and the answer
//! options. Data, kept apart from the scoring in `screening.rs`; item ids are stable forever.

use super::{AnswerOption, Item};

pub(super) const YES_NO: &[AnswerOption] = &[
    AnswerOption {
        value: 0,
        label_id: "Tidak",
        label_en: "No",
    },
    AnswerOption {
        value: 1,
        label_id: "Ya",
        label_en: "Yes",
    },
];

pub(super) const FREQUENCY: &[AnswerOption] = &[
    AnswerOption {
        value: 0,
        label_id: "Tidak sama sekali",
        label_en: "Not at all",
    },
    AnswerOption {
        value: 1,
        label_id: "Beberapa hari",
        label_en: "Several days",
    },
    AnswerOption {
        value: 2,
        label_id: "Lebih dari separuh waktu",
        label_en: "More than half the days",
    },
    AnswerOption {
        value: 3,
        label_id: "Hampir setiap hari",
        label_en: "Nearly every day",
    },
];

pub(super) const HOW_OFTEN: &[AnswerOption] = &[
    AnswerOption {
        value: 1,
        label_id: "Tidak pernah",
        label_en: "None of the time",
    },
    AnswerOption {
        value: 2,
        label_id: "Jarang",
        label_en: "A little of the time",
    },
    AnswerOption {
        value: 3,
        label_id: "Kadang-kadang",
        label_en: "Some of the time",
    },
    AnswerOption {
        value: 4,
        label_id: "Sering",
        label_en: "Most of the time",
    },
    AnswerOption {
        value: 5,
        label_id: "Selalu",
        label_en: "All of the time",
    },
];

const fn item(id: &'static str, text_id: &'static str, text_en: &'static str) -> Item {
    Item {
        id,
        text_id,
        text_en,
    }
}

pub(super) const SRQ20: &[Item] = &[
    item(
        "srq20.01",
        "Apakah Anda sering sakit kepala?",
        "Do you often have headaches?",
    ),
    item(
        "srq20.02",
        "Apakah Anda kehilangan nafsu makan?",
        "Is your appetite poor?",
    ),
    item(
        "srq20.03",
        "Apakah tidur Anda tidak nyenyak?",
        "Do you sleep badly?",
    ),
    item(
        "srq20.04",
        "Apakah Anda mudah merasa takut?",
        "Are you easily frightened?",
    ),
    item(
        "srq20.05",
        "Apakah tangan Anda gemetar?",
        "Do your hands shake?",
    ),
    item(
        "srq20.06",
        "Apakah Anda merasa cemas, tegang, atau khawatir?",
        "Do you feel nervous, tense or worried?",
    ),
    item(
        "srq20.07",
        "Apakah pencernaan Anda terganggu atau buruk?",
        "Is your digestion poor?",
    ),
    item(
        "srq20.08",
        "Apakah Anda sulit berpikir jernih?",
        "Do you have trouble thinking clearly?",
    ),
    item(
        "srq20.09",
        "Apakah Anda merasa tidak bahagia?",
        "Do you feel unhappy?",
    ),
    item(
        "srq20.10",
        "Apakah Anda menangis lebih sering dari biasanya?",
        "Do you cry more than usual?",
    ),
    item(
        "srq20.11",
        "Apakah Anda sulit menikmati kegiatan sehari-hari?",
        "Do you find it difficult to enjoy your daily activities?",
    ),
    item(
        "srq20.12",
        "Apakah Anda sulit mengambil keputusan?",
        "Do you find it difficult to make decisions?",
    ),
    item(
        "srq20.13",
        "Apakah pekerjaan sehari-hari Anda terganggu?",
        "Is your daily work suffering?",
    ),
    item(
        "srq20.14",
        "Apakah Anda merasa tidak mampu berperan dengan baik dalam kehidupan?",
        "Are you unable to play a useful part in life?",
    ),
    item(
        "srq20.15",
        "Apakah Anda kehilangan minat terhadap banyak hal?",
        "Have you lost interest in things?",
    ),
    item(
        "srq20.16",
        "Apakah Anda merasa tidak berharga?",
        "Do you feel that you are a worthless person?",
    ),
    item(
        "srq20.17",
        "Apakah Anda mempunyai pikiran untuk mengakhiri hidup?",
        "Has the thought of ending your life been on your mind?",
    ),
    item(
        "srq20.18",
        "Apakah Anda merasa lelah sepanjang waktu?",
        "Do you feel tired all the time?",
    ),
    item(
        "srq20.19",
        "Apakah Anda merasa tidak enak di perut?",
        "Do you have uncomfortable feelings in your stomach?",
    ),
    item(
        "srq20.20",
        "Apakah Anda mudah lelah?",
        "Are you easily tired?",
    ),
];

pub(super) const PHQ9: &[Item] = &[
    item("phq9.01", "Kurang tertarik atau bergairah dalam melakukan apa pun", "Little interest or pleasure in doing things"),
    item("phq9.02", "Merasa murung, muram, atau putus asa", "Feeling down, depressed, or hopeless"),
    item("phq9.03", "Sulit tidur atau mudah terbangun, atau terlalu banyak tidur", "Trouble falling or staying asleep, or sleeping too much"),
    item("phq9.04", "Merasa lelah atau kurang bertenaga", "Feeling tired or having little energy"),
    item("phq9.05", "Kurang nafsu makan atau terlalu banyak makan", "Poor appetite or overeating"),
    item("phq9.06", "Merasa buruk tentang diri sendiri, merasa gagal, atau telah mengecewakan diri sendiri atau keluarga", "Feeling bad about yourself, or that you are a failure or have let yourself or your family down"),
    item("phq9.07", "Sulit berkonsentrasi, misalnya saat membaca koran atau menonton televisi", "Trouble concentrating on things, such as reading the newspaper or watching television"),
    item("phq9.08", "Bergerak atau berbicara sangat lambat sehingga orang lain memperhatikannya, atau sebaliknya sangat gelisah sehingga lebih banyak bergerak dari biasanya", "Moving or speaking so slowly that other people could have noticed, or the opposite: being so fidgety or restless that you have been moving around a lot more than usual"),
    item("phq9.09", "Pikiran bahwa lebih baik mati atau ingin melukai diri sendiri dengan cara apa pun", "Thoughts that you would be better off dead, or of hurting yourself in some way"),
];

pub(super) const GAD7: &[Item] = &[
    item(
        "gad7.01",
        "Merasa gugup, cemas, atau tegang",
        "Feeling nervous, anxious, or on edge",
    ),
    item(
        "gad7.02",
        "Tidak mampu menghentikan atau mengendalikan rasa khawatir",
        "Not being able to stop or control worrying",
    ),
    item(
        "gad7.03",
        "Terlalu mengkhawatirkan berbagai hal",
        "Worrying too much about different things",
    ),
    item("gad7.04", "Sulit untuk merasa santai", "Trouble relaxing"),
    item(
        "gad7.05",
        "Sangat gelisah sehingga sulit untuk duduk diam",
        "Being so restless that it is hard to sit still",
    ),
    item(
        "gad7.06",
        "Menjadi mudah kesal atau mudah tersinggung",
        "Becoming easily annoyed or irritable",
    ),
    item(
        "gad7.07",
        "Merasa takut seolah-olah sesuatu yang buruk akan terjadi",
        "Feeling afraid, as if something awful might happen",
    ),
];

#[rustfmt::skip]
pub(super) const K10: &[Item] = &[
    item("k10.01", "Merasa lelah tanpa alasan yang jelas", "Feel tired out for no good reason"),
    item("k10.02", "Merasa gugup", "Feel nervous"),
    item("k10.03", "Merasa begitu gugup sehingga tidak ada yang dapat menenangkan Anda", "Feel so nervous that nothing could calm you down"),
    item("k10.04", "Merasa putus asa", "Feel hopeless"),
    item("k10.05", "Merasa gelisah atau tidak bisa tenang", "Feel restless or fidgety"),
    item("k10.06", "Merasa begitu gelisah sehingga tidak bisa duduk diam", "Feel so restless you could not sit still"),
    item("k10.07", "Merasa tertekan (depresi)", "Feel depressed"),
    item("k10.08", "Merasa bahwa segala sesuatu membutuhkan usaha keras", "Feel that everything was an effort"),
    item("k10.09", "Merasa begitu sedih sehingga tidak ada yang dapat menghibur Anda", "Feel so sad that nothing could cheer you up"),
    item("k10.10", "Merasa tidak berharga", "Feel worthless"),
];

/**
 * The search bench's corpus and queries, made in the page (no 100k texts cross the DevTools pipe):
 * seeded, chat-like lines in English, Russian, Polish, Japanese and Persian. Words are drawn from
 * small vocabularies plus made-up names and numbers, so the index has a realistic mix of very
 * common terms (long postings) and rare ones. Runs in the browser: self-contained, no imports.
 */
export interface Corpus {
  texts: string[];
  queries: string[];
}

/** Builds `count` texts and the query list (in the page; `seed` makes both the same every run). */
export function makeCorpus(count: number, seed: number): Corpus {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const words = {
    en: 'the a to and is it you that we meet tomorrow meeting station coffee lunch dinner project deadline release review please thanks sorry yes no maybe later today morning evening train ticket weather rain sunny office remote call link file photo holiday birthday party music movie book idea plan budget server deploy bug fix test issue branch merge design draft'.split(' '),
    ru: 'и в не на что я это мы встреча завтра вокзал кофе обед ужин проект срок релиз пожалуйста спасибо извини да нет может позже сегодня утром вечером поезд билет погода дождь солнечно офис звонок ссылка файл фото отпуск день рождения праздник музыка фильм книга идея план бюджет сервер ошибка исправление тест ёлка всё'.split(' '),
    pl: 'i w nie na że to my spotkanie jutro dworzec kawa obiad kolacja projekt termin wydanie proszę dziękuję przepraszam tak może później dzisiaj rano wieczorem pociąg bilet pogoda deszcz słonecznie biuro rozmowa link plik zdjęcie urlop urodziny impreza muzyka film książka pomysł plan budżet serwer błąd poprawka test żółć gęś źdźbło'.split(' '),
    ja: ['明日', '東京駅', '会議', 'コーヒー', '昼ごはん', '夕飯', 'プロジェクト', '締め切り', 'お願いします', 'ありがとう', 'すみません', '今日', '朝', '夜', '電車', '切符', '天気', '雨', '事務所', '電話', 'ファイル', '写真', '休み', '誕生日', '音楽', '映画', '本', '計画', '予算', 'サーバー', 'バグ', '修正', 'テスト'],
    fa: 'و در به از که این ما فردا جلسه ایستگاه قهوه ناهار شام پروژه مهلت لطفا ممنون ببخشید بله نه شاید بعدا امروز صبح عصر قطار بلیت هوا باران آفتابی دفتر تماس پیوند پرونده عکس تعطیلات تولد جشن موسیقی فیلم کتاب ایده برنامه بودجه سرور خطا می‌خواهم می‌بینمت'.split(' '),
  };
  const names = Array.from({ length: 3000 }, (_, i) => `${pick(['anna', 'boris', 'kasia', 'yuki', 'sara', 'omid', 'lee', 'marta'])}${i}`);
  const languages = ['en', 'en', 'ru', 'pl', 'ja', 'fa'] as const;
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const language = pick(languages);
    const length = 3 + Math.floor(random() * 14);
    const parts: string[] = [];
    for (let w = 0; w < length; w++) parts.push(random() < 0.06 ? pick(names) : random() < 0.03 ? String(Math.floor(random() * 10_000)) : pick(words[language]));
    const joined = language === 'ja' ? `${parts.join(pick(['は', 'で', 'を', 'に', 'の']))}。` : parts.join(' ');
    texts.push(random() < 0.1 ? `${joined} ${pick(['🙂', '👍', '🎉', '☕'])}` : joined);
  }
  const queries: string[] = [];
  const spaced = ['en', 'ru', 'pl', 'fa'] as const;
  for (let q = 0; q < 50; q++) {
    const kind = q % 5;
    const language = spaced[q % spaced.length] as (typeof spaced)[number];
    const word = pick(words[language].filter((w) => w.length >= 4));
    if (kind === 0) queries.push(`${word} `);
    else if (kind === 1) queries.push(word.slice(0, 3));
    else if (kind === 2) queries.push(pick(words.ja));
    else if (kind === 3) queries.push(`${word} ${pick(words[language].filter((w) => w.length >= 4))}`);
    else queries.push(`${pick(names)} `);
  }
  return { texts, queries };
}

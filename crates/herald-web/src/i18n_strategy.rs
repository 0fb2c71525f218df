// The catalogue, strategy part: the strategy page, its forms and the brief. key => English, Russian.
catalogue! { STRATEGY;
    "nav.strategy" => "Strategy", "Стратегия";
    "strategy.intro" => "Who the content is for, what it should achieve, what it is about, how it sounds and who else is out there.", "Для кого контент, чего он должен добиться, о чём он, каким голосом говорит и кто ещё рядом.";
    "strategy.brief" => "One-page brief", "Бриф на одну страницу";
    "strategy.brief_pdf" => "Download PDF", "Скачать PDF";
    "strategy.brief.title" => "Strategy", "Стратегия";
    "strategy.brief.dated" => "Prepared on", "Подготовлено";
    "strategy.brief.empty" => "Not filled in yet.", "Пока не заполнено.";
    "strategy.brief.print" => "Print", "Печать";
    "strategy.brief.back" => "Back to the strategy", "Назад к стратегии";
    "strategy.read_only" => "Your role can read the strategy but not change it.", "Ваша роль позволяет читать стратегию, но не менять её.";
    "strategy.none" => "Nothing here yet.", "Здесь пока ничего нет.";
    "strategy.edit" => "Edit", "Изменить";
    "strategy.delete_confirm" => "Delete this for good?", "Удалить насовсем?";
    "strategy.lines_hint" => "One per line.", "По одному на строку.";

    "strategy.personas" => "Audience personas", "Портреты аудитории";
    "strategy.persona.add" => "Add a persona", "Добавить портрет";
    "strategy.persona.name" => "Persona", "Портрет";
    "strategy.persona.demographics" => "Demographics", "Демография";
    "strategy.persona.interests" => "Interests", "Интересы";
    "strategy.persona.pains" => "Pains and weaknesses", "Боли и слабые места";
    "strategy.persona.online" => "Where they are online", "Где бывают в сети";
    "strategy.persona.formats" => "Preferred formats", "Любимые форматы";
    "strategy.persona.times" => "Preferred times", "Удобное время";

    "strategy.goals" => "Goals and KPIs", "Цели и KPI";
    "strategy.goal.add" => "Add a goal", "Добавить цель";
    "strategy.goal.name" => "Goal", "Цель";
    "strategy.goal.metric" => "KPI", "KPI";
    "strategy.goal.baseline" => "Baseline", "Исходное значение";
    "strategy.goal.target" => "Target", "Цель по KPI";
    "strategy.goal.unit" => "Unit", "Единица";
    "strategy.goal.unit_hint" => "Leave empty for the metric's usual unit (% for engagement rate, min for response time).", "Оставьте пустым для обычной единицы метрики (% для вовлечённости, мин для времени ответа).";
    "strategy.goal.start" => "Start", "Начало";
    "strategy.goal.due" => "Due", "Срок";
    "strategy.metric.followers" => "Followers", "Подписчики";
    "strategy.metric.engagement_rate" => "Engagement rate", "Вовлечённость";
    "strategy.metric.reach" => "Reach", "Охват";
    "strategy.metric.clicks" => "Clicks", "Клики";
    "strategy.metric.posts" => "Posts", "Публикации";
    "strategy.metric.response_time" => "Response time", "Время ответа";
    "strategy.metric.custom" => "Custom", "Своя метрика";

    "strategy.pillars" => "Content pillars", "Контентные рубрики";
    "strategy.pillar.add" => "Add a pillar", "Добавить рубрику";
    "strategy.pillar.name" => "Pillar", "Рубрика";
    "strategy.pillar.purpose" => "Purpose", "Назначение";
    "strategy.pillar.share" => "Target share of posts, %", "Целевая доля публикаций, %";
    "strategy.pillar.colour" => "Colour", "Цвет";
    "strategy.pillar.promotional" => "Promotional (never two in a row on a channel)", "Рекламная (не две подряд в одном канале)";
    "strategy.pillar.promotional_short" => "promotional", "рекламная";
    "strategy.pillar.total" => "Shares in total:", "Всего долей:";
    "strategy.pillar.total_hint" => "The monthly plan spreads posts by these shares; together they may be at most 100%.", "Месячный план распределяет публикации по этим долям; вместе они не больше 100%.";

    "strategy.tone" => "Tone of voice", "Тон коммуникации";
    "strategy.tone.summary" => "How the brand sounds", "Как звучит бренд";
    "strategy.tone.use" => "Words to use", "Какие слова использовать";
    "strategy.tone.avoid" => "Words to avoid", "Каких слов избегать";
    "strategy.tone.examples" => "Example phrases", "Примеры фраз";

    "strategy.competitors" => "Competitors", "Конкуренты";
    "strategy.competitor.add" => "Add a competitor", "Добавить конкурента";
    "strategy.competitor.name" => "Competitor", "Конкурент";
    "strategy.competitor.accounts" => "Accounts", "Аккаунты";
    "strategy.competitor.accounts_hint" => "One per line: platform, then handle or link, e.g. “telegram @rival” or “vk https://vk.com/rival”.", "По одному на строку: платформа, затем имя или ссылка, например «telegram @rival» или «vk https://vk.com/rival».";
    "strategy.competitor.strengths" => "Strengths", "Сильные стороны";
    "strategy.competitor.weaknesses" => "Weaknesses", "Слабые стороны";
    "strategy.competitor.notes" => "Notes", "Заметки";

    "strategy.err.name" => "Enter a name of 1 to 100 characters, on one line.", "Введите название от 1 до 100 символов, в одну строку.";
    "strategy.err.long" => "At most 4,000 characters.", "Не больше 4000 символов.";
    "strategy.err.list" => "At most 50 lines of up to 300 characters each.", "Не больше 50 строк, до 300 символов в каждой.";
    "strategy.err.metric" => "Choose a KPI from the list.", "Выберите KPI из списка.";
    "strategy.err.number" => "Enter a number, such as 4.5.", "Введите число, например 4,5.";
    "strategy.err.target" => "Enter the target as a number; a percentage is between 0 and 100.", "Введите цель числом; процент — от 0 до 100.";
    "strategy.err.date" => "Enter a date.", "Введите дату.";
    "strategy.err.due" => "The due date cannot be before the start.", "Срок не может быть раньше начала.";
    "strategy.err.unit" => "At most 20 characters.", "Не больше 20 символов.";
    "strategy.err.colour" => "Choose a colour (#rrggbb).", "Выберите цвет (#rrggbb).";
    "strategy.err.share" => "Enter a whole number from 0 to 100.", "Введите целое число от 0 до 100.";
    "strategy.err.share_total" => "Together the pillars may take at most 100%; lower this share or another pillar's.", "Вместе рубрики занимают не больше 100%; уменьшите эту долю или долю другой рубрики.";
    "strategy.err.accounts" => "Write each account as a known platform and a handle or link, once each.", "Укажите каждый аккаунт как известную платформу и имя или ссылку, без повторов.";
    "compose.pillar" => "Content pillar", "Рубрика";
    "compose.pillar_none" => "No pillar", "Без рубрики";
    "strategy.err.duplicate" => "This name is already taken here.", "Такое название здесь уже есть.";
}

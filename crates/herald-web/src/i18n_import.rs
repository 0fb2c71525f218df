// The catalogue, import and calendar part: the CSV import page and the calendar feed on the
// settings page. key => English, Russian.
catalogue! { IMPORT;
    "nav.import" => "Import", "Импорт";
    "import.title" => "Import posts from CSV", "Импорт публикаций из CSV";
    "import.intro" => "Every row is checked against every channel's rules first; the whole file goes in, or nothing does.", "Сначала каждая строка проверяется по правилам каждого канала; файл загружается целиком или не загружается вовсе.";
    "import.upload" => "Upload a file", "Загрузить файл";
    "import.file" => "CSV file", "Файл CSV";
    "import.file_hint" => "Herald's columns (scheduled_at, channels, text, link, first_comment, pillar, media, labels) or Hootsuite's bulk layout (date and time, message, link).", "Колонки Herald (scheduled_at, channels, text, link, first_comment, pillar, media, labels) или формат массовой загрузки Hootsuite (дата и время, сообщение, ссылка).";
    "import.channels" => "Channels for rows that name none", "Каналы для строк без каналов";
    "import.channels_hint" => "Hootsuite files have no channel column: tick where their posts go.", "В файлах Hootsuite нет колонки каналов: отметьте, куда пойдут их публикации.";
    "import.date_order" => "Dates written with slashes", "Даты через косую черту";
    "import.dmy" => "day/month/year (31/12/2026 09:00)", "день/месяц/год (31/12/2026 09:00)";
    "import.mdy" => "month/day/year (12/31/2026 09:00)", "месяц/день/год (12/31/2026 09:00)";
    "import.submit" => "Check and import", "Проверить и загрузить";
    "import.done" => "Posts imported:", "Загружено публикаций:";
    "import.see_posts" => "See the posts", "Открыть публикации";
    "import.problems" => "Problems in the file", "Ошибки в файле";
    "import.nothing_written" => "Nothing was imported. Correct these lines and upload the file again.", "Ничего не загружено. Исправьте эти строки и загрузите файл снова.";
    "import.line" => "Line", "Строка";
    "import.column" => "Column", "Колонка";
    "import.problem" => "Problem", "Ошибка";
    "import.err.no_file" => "Choose a CSV file to import.", "Выберите файл CSV для загрузки.";
    "done.imported" => "The posts are imported.", "Публикации загружены.";

    "calendar.title" => "Calendar feed", "Календарь";
    "calendar.intro" => "A secret address that Google Calendar, Thunderbird or any calendar app can subscribe to: every scheduled post appears at its time. Anyone with the address can read the calendar.", "Секретный адрес, на который можно подписаться в Google Календаре, Thunderbird или другом календаре: каждая запланированная публикация появится в своё время. Календарь видит любой, у кого есть адрес.";
    "calendar.url" => "Subscription address", "Адрес для подписки";
    "calendar.url_once" => "Copy it now: it is shown only once. Make a new one if it is lost.", "Скопируйте его сейчас: он показывается один раз. Если адрес потерян, создайте новый.";
    "calendar.active_since" => "The feed is on; its current address was made", "Календарь включён; текущий адрес создан";
    "calendar.none" => "There is no calendar feed.", "Календарь не включён.";
    "calendar.create" => "Create the address", "Создать адрес";
    "calendar.rotate" => "Make a new address (the old one stops working)", "Создать новый адрес (старый перестанет работать)";
    "calendar.revoke" => "Turn the feed off", "Отключить календарь";
    "done.calendar_created" => "The calendar address is ready; copy it below.", "Адрес календаря готов; скопируйте его ниже.";
    "audit.calendar_feed.created" => "Calendar feed address made (any earlier one stopped)", "Создан адрес календаря (прежний перестал работать)";
    "audit.calendar_feed.revoked" => "Calendar feed turned off", "Календарь отключён";
    "done.calendar_revoked" => "The calendar feed is off; its address no longer works.", "Календарь отключён; его адрес больше не работает.";
}

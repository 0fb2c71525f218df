// The catalogue: key => English, Russian. Keep keys grouped by page.
catalogue! {
    "app.name" => "Herald", "Herald";
    "app.tagline" => "Social media marketing, self-hosted", "SMM-платформа на вашем сервере";
    "nav.skip" => "Skip to content", "Перейти к содержимому";
    "nav.workspaces" => "Workspaces", "Рабочие пространства";
    "nav.switch" => "Switch workspace", "Сменить пространство";
    "nav.new_workspace" => "New workspace", "Новое пространство";
    "nav.settings" => "Settings", "Настройки";
    "nav.members" => "Members", "Участники";
    "nav.invitations" => "Invitations", "Приглашения";
    "nav.audit" => "Audit log", "Журнал действий";
    "nav.profile" => "Profile", "Профиль";
    "nav.tokens" => "API tokens", "API-токены";
    "nav.logout" => "Sign out", "Выйти";
    "nav.language" => "Language", "Язык";
    "lang.en" => "English", "English";
    "lang.ru" => "Русский", "Русский";
    "lang.auto" => "As in my browser", "Как в браузере";

    "login.title" => "Sign in to Herald", "Вход в Herald";
    "login.email" => "E-mail", "Эл. почта";
    "login.password" => "Password", "Пароль";
    "login.submit" => "Sign in", "Войти";
    "login.failed" => "Wrong e-mail or password.", "Неверная почта или пароль.";
    "login.throttled" => "Too many attempts. Try again in 15 minutes.", "Слишком много попыток. Повторите через 15 минут.";
    "login.csrf" => "The form expired. Please try again.", "Форма устарела. Попробуйте ещё раз.";
    "login.first_user" => "No account yet? The administrator creates the first one with: herald user add EMAIL --password-stdin --admin", "Ещё нет учётной записи? Администратор создаёт первую командой: herald user add EMAIL --password-stdin --admin";

    "common.save" => "Save", "Сохранить";
    "common.cancel" => "Cancel", "Отмена";
    "common.delete" => "Delete", "Удалить";
    "common.create" => "Create", "Создать";
    "common.saved" => "Saved.", "Сохранено.";
    "common.actions" => "Actions", "Действия";
    "common.name" => "Name", "Название";
    "common.none" => "Nothing here yet.", "Здесь пока пусто.";
    "common.error" => "Something went wrong", "Что-то пошло не так";
    "common.forbidden" => "Your role in this workspace does not allow this.", "Ваша роль в этом пространстве не позволяет это сделать.";
    "common.not_found" => "Not found.", "Не найдено.";
    "common.back_home" => "Back to Herald", "Вернуться в Herald";

    "role.owner" => "Owner", "Владелец";
    "role.manager" => "Manager", "Менеджер";
    "role.editor" => "Editor", "Редактор";
    "role.analyst" => "Analyst", "Аналитик";
    "role.client" => "Client", "Клиент";
}

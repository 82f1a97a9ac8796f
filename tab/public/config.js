// Configuration page of the team/group-chat tab: Teams shows it when the tab is added and saves the
// content URL it returns. https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/create-tab-pages/configuration-page

const teams = window.microsoftTeams;
const status = document.getElementById('config-status');

async function start() {
  await teams.app.initialize();
  const context = await teams.app.getContext();
  const theme = context.app.theme;
  document.body.className = `theme-${theme === 'dark' || theme === 'contrast' ? theme : 'default'}`;
  const contentUrl = new URL('./?inTeams=1', location.href).toString();
  const websiteUrl = new URL('./', location.href).toString();
  teams.pages.config.registerOnSaveHandler((saveEvent) => {
    const name = document.getElementById('tab-name').value.trim() || 'Review queue';
    teams.pages.config
      .setConfig({
        entityId: 'lightdesk-review-queue',
        contentUrl,
        websiteUrl,
        suggestedDisplayName: name,
      })
      .then(() => saveEvent.notifySuccess())
      .catch((error) => saveEvent.notifyFailure(String(error)));
  });
  teams.pages.config.setValidityState(true);
  teams.app.notifySuccess();
  status.textContent = 'Press Save to add the tab.';
}

start().catch((error) => {
  status.textContent = `This page works inside Teams only (${error?.message ?? error}).`;
});

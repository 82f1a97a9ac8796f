import { randomBytes } from 'node:crypto';

// Run by Agents Toolkit (teamsapp.local.yml, `uses: script`): a tunnel exposes the local host's API,
// so it must not run open. The toolkit stores what a script prints as a set-teamsfx-env line (`::` first)
// in the environment's files, SECRET_ names in the git-ignored .user file
// (https://aka.ms/teamsfx-actions/script). A key already there is kept, so provisioning again does
// not break connections that use it.
const existing = process.env.SECRET_API_KEY;
if (existing === undefined || existing.trim() === '') {
  process.stdout.write(
    `::set-teamsfx-env SECRET_API_KEY=${randomBytes(32).toString('base64url')}\n`,
  );
}

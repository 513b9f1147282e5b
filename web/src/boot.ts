// The console's first module (imported first by main.tsx): with a kept session, `whoami` is asked here, before
// React and Ant Design are evaluated and render the first frame (issue 13: first render at 10,000 applications).
import { askWhoamiEarly } from './auth/stored-session.ts';

askWhoamiEarly();

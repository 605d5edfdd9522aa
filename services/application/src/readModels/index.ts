import { accountsReadModel } from './accounts';
import { analysisReadModel } from './analysis';
import { commentsReadModel } from './comments';
import { organizationsReadModel } from './organizations';
import { policiesReadModel } from './policies';
import { followsReadModel } from './follows';
import { notificationsReadModel } from './notifications';
import { searchReadModel } from './search';
import { digestsReadModel } from './digests';
import { alertsReadModel } from './alerts';
import { semesterReportsReadModel } from './semesterReports';
import { pupilsReadModel } from './pupils';
import { channelsReadModel } from './channels';
import { attachmentsReadModel } from './attachments';
import { lifecycleReadModel } from './lifecycle';
import type { ReadModel } from './projection';

export * from './database';
export * from './projection';
export * from './accounts';
export * from './comments';
export * from './organizations';
export * from './policies';
export * from './search';
export * from './follows';
export * from './notifications';
export * from './alerts';
export * from './semesterReports';
export * from './pupils';
export * from './channels';
export * from './digests';
export * from './analysis';
export * from './attachments';
export * from './lifecycle';

/** Every read model, in the order their evolve steps run for one event. */
export const allReadModels: ReadModel[] = [
  organizationsReadModel,
  accountsReadModel,
  policiesReadModel,
  commentsReadModel,
  searchReadModel,
  followsReadModel,
  digestsReadModel,
  analysisReadModel,
  notificationsReadModel,
  alertsReadModel,
  semesterReportsReadModel,
  attachmentsReadModel,
  pupilsReadModel,
  channelsReadModel,
  lifecycleReadModel,
];

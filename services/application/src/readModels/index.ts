import { accountsReadModel } from './accounts';
import { commentsReadModel } from './comments';
import { organizationsReadModel } from './organizations';
import { policiesReadModel } from './policies';
import type { ReadModel } from './projection';

export * from './database';
export * from './projection';
export * from './accounts';
export * from './comments';
export * from './organizations';
export * from './policies';

/** Every read model, in the order their evolve steps run for one event. */
export const allReadModels: ReadModel[] = [organizationsReadModel, accountsReadModel, policiesReadModel, commentsReadModel];

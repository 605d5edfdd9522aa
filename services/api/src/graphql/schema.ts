import { lexicographicSortSchema, printSchema } from 'graphql';
import { builder } from './builder';
import './types/errors';
import './types/enums';
import './types/organization';
import './types/account';
import './types/comment';
import './types/policy';
import './types/moderation';
import './types/hiddenComments';
import './types/attachments';
import './types/drafts';
import './types/subscription';
import './types/search';
import './types/follow';
import './types/audit';
import './types/digest';
import './types/analysis';
import './types/alerts';
import './types/reports';
import './types/pupils';
import './types/dashboard';
import './types/channels';
import './types/actions';

export const schema = builder.toSchema();

/** The SDL checked into schemas/graphql/schema.graphql; a test fails when it is stale. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

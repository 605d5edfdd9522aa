import { describe, it } from 'vitest';
import { ForbiddenError, IllegalStateError, NotFoundError, ValidationError } from './errors';
import { policyDecider, type AttachVersionDocument } from './policyDecider';
import {
  T,
  aPolicyDraftingWithoutVersion,
  aPolicyInConsultation,
  aPolicyInDrafting,
  accounts,
  actors,
  anEnactedPolicy,
  ids,
} from './testkit/builders';
import { specFor } from './testkit/spec';

const given = specFor(policyDecider);

const documentId = 'd0c00001-0000-4000-8000-000000000001';
const sha256 = 'ab'.repeat(32);
const attach = (over: Partial<AttachVersionDocument> = {}): AttachVersionDocument => ({
  type: 'AttachVersionDocument',
  policyId: ids.policy,
  now: T.during,
  actor: actors.staff,
  version: 1,
  documentId,
  kind: 'to_trinh',
  title: 'Tờ trình về dự thảo quy định thu, chi',
  file: { fileName: 'to-trinh-so-12.pdf', mediaType: 'application/pdf', sha256, size: 48_213 },
  ...over,
});

describe('attaching a document to a version', () => {
  it('records the explanatory memorandum of a published version, by the SHA-256 of its file', () => {
    given(aPolicyInDrafting())
      .when(attach())
      .then([
        {
          type: 'VersionDocumentAttached',
          data: {
            policyId: ids.policy,
            version: 1,
            documentId,
            kind: 'to_trinh',
            title: 'Tờ trình về dự thảo quy định thu, chi',
            fileName: 'to-trinh-so-12.pdf',
            mediaType: 'application/pdf',
            sha256,
            size: 48_213,
            attachedBy: accounts.staff,
          },
        },
      ]);
  });

  it('is allowed while the round is open (the memorandum explains the draft being consulted on)', () => {
    given(aPolicyInConsultation())
      .when(attach({ kind: 'other', title: 'Phụ lục: bảng mức thu' }))
      .then([
        {
          type: 'VersionDocumentAttached',
          data: {
            policyId: ids.policy,
            version: 1,
            documentId,
            kind: 'other',
            title: 'Phụ lục: bảng mức thu',
            fileName: 'to-trinh-so-12.pdf',
            mediaType: 'application/pdf',
            sha256,
            size: 48_213,
            attachedBy: accounts.staff,
          },
        },
      ]);
  });

  it('is for staff only', () => {
    for (const actor of [
      actors.participant,
      actors.moderator,
      actors.spokesperson,
      actors.policymaker,
      actors.auditor,
    ]) {
      given(aPolicyInDrafting()).when(attach({ actor })).then(ForbiddenError, 'STAFF_ONLY');
    }
  });

  it('refuses a version that was never published', () => {
    given(aPolicyDraftingWithoutVersion()).when(attach()).then(NotFoundError);
    given(aPolicyInDrafting())
      .when(attach({ version: 2 }))
      .then(NotFoundError);
  });

  it('refuses a document without a title, of an unknown kind, or with a malformed hash', () => {
    given(aPolicyInDrafting())
      .when(attach({ title: '  ' }))
      .then(ValidationError, 'title');
    given(aPolicyInDrafting())
      .when(attach({ kind: 'minutes' as never }))
      .then(ValidationError, 'kind');
    given(aPolicyInDrafting())
      .when(attach({ file: { fileName: 'a.pdf', mediaType: 'application/pdf', sha256: 'xyz', size: 1 } }))
      .then(ValidationError, 'file.sha256');
    given(aPolicyInDrafting())
      .when(attach({ file: { fileName: '', mediaType: 'application/pdf', sha256, size: 1 } }))
      .then(ValidationError, 'file.fileName');
  });

  it('refuses once the policy is enacted', () => {
    given(anEnactedPolicy()).when(attach()).then(IllegalStateError, 'TERMINAL_STATE');
  });
});

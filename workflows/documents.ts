// The partner's document vocabulary (docs/partner-api.md, Step 1 and Step 3), kept in one place: the categories and
// types the rail accepts, which attach slot each category fills, and which slots a country requires.

export const documentCategories = ['id_document', 'id_document_back', 'proof_of_address', 'liveness_check'] as const;
export type DocumentCategory = (typeof documentCategories)[number];

export const contentTypes = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type ContentType = (typeof contentTypes)[number];

/**
 * Category → attach slot. `liveness_check_file` is our assumption: the partner's guide names only the first three
 * (docs/partner-api.md, Step 3).
 */
export const attachSlotFor = {
  id_document: 'id_file',
  id_document_back: 'id_file_back',
  proof_of_address: 'proof_of_address_file',
  liveness_check: 'liveness_check_file',
} as const satisfies Record<DocumentCategory, string>;
export type AttachSlot = (typeof attachSlotFor)[DocumentCategory];

/**
 * Categories a customer's country requires besides `id_document` (which every country needs: without
 * `id_file` the partner's review never starts). The partner only says other slots "depend on the customer's
 * country" (docs/partner-api.md, Step 3); this table is our reading of it and the single place to change it.
 * Countries not listed get the default: the ID document alone.
 */
export const requiredCategoriesByCountry: Readonly<Record<string, readonly DocumentCategory[]>> = {
  US: ['id_document', 'proof_of_address'],
  DE: ['id_document', 'proof_of_address'],
};
export const defaultRequiredCategories: readonly DocumentCategory[] = ['id_document'];

export function requiredCategories(country: string | undefined): readonly DocumentCategory[] {
  return (country && requiredCategoriesByCountry[country]) || defaultRequiredCategories;
}

/** One document of the workflow input (docs/workflow.md, "Input"). `source` is a path, file:// or http(s):// URL. */
export interface KycDocument {
  category: DocumentCategory;
  filename: string;
  contentType: ContentType;
  source: string;
}

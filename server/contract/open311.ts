// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2) as Ops Map speaks it at /api/v1/open311/: the shapes of its
// answers, in the spec's own field names, so that a client written for any GeoReport v2 server reads them. The same
// objects are written as JSON or, element for element, as XML (server/routes/open311.ts). No Node imports here.
import Type, { type Static } from 'typebox';

/** GET services.{json,xml}: one of our ticket categories as a service. */
export const Open311Service = Type.Object({
  service_code: Type.String(),
  service_name: Type.String(),
  description: Type.String(),
  /** True when the service has attributes: GET services/{code} lists them. */
  metadata: Type.Boolean(),
  /** Always realtime: a request gets its service_request_id in the answer to its POST. */
  type: Type.Literal('realtime'),
  /** Comma-separated, as the spec writes them. */
  keywords: Type.String(),
  group: Type.String(),
});
export type Open311Service = Static<typeof Open311Service>;

export const Open311AttributeValue = Type.Object({ key: Type.String(), name: Type.String() });

/** One attribute of a service definition (the spec's field names and datatypes). */
export const Open311Attribute = Type.Object({
  variable: Type.Boolean(),
  code: Type.String(),
  datatype: Type.Union([
    Type.Literal('string'),
    Type.Literal('number'),
    Type.Literal('datetime'),
    Type.Literal('text'),
    Type.Literal('singlevaluelist'),
    Type.Literal('multivaluelist'),
  ]),
  required: Type.Boolean(),
  datatype_description: Type.String(),
  order: Type.Integer({ minimum: 1 }),
  description: Type.String(),
  values: Type.Array(Open311AttributeValue),
});
export type Open311Attribute = Static<typeof Open311Attribute>;

/** GET services/{code}.{json,xml}. */
export const Open311ServiceDefinition = Type.Object({
  service_code: Type.String(),
  attributes: Type.Array(Open311Attribute),
});
export type Open311ServiceDefinition = Static<typeof Open311ServiceDefinition>;

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** POST requests: what the new request is called, and what happens next. */
export const Open311Created = Type.Object({
  service_request_id: Type.String(),
  service_notice: Nullable(Type.String()),
  account_id: Nullable(Type.String()),
});
export type Open311Created = Static<typeof Open311Created>;

/** GET requests / requests/{id}: a ticket as a service request. Absent facts are null, as in the spec's example. */
export const Open311ServiceRequest = Type.Object({
  service_request_id: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
  status_notes: Nullable(Type.String()),
  service_name: Type.String(),
  service_code: Type.String(),
  description: Nullable(Type.String()),
  agency_responsible: Nullable(Type.String()),
  service_notice: Nullable(Type.String()),
  requested_datetime: Type.String(),
  updated_datetime: Type.String(),
  expected_datetime: Nullable(Type.String()),
  address: Nullable(Type.String()),
  address_id: Nullable(Type.String()),
  zipcode: Nullable(Type.String()),
  lat: Type.Number(),
  long: Type.Number(),
  media_url: Nullable(Type.String()),
});
export type Open311ServiceRequest = Static<typeof Open311ServiceRequest>;

/** Every Open311 error answer: a list of `{code, description}`, `code` being the HTTP status. */
export const Open311Error = Type.Object({ code: Type.Integer(), description: Type.String() });
export const Open311Errors = Type.Array(Open311Error, { minItems: 1 });
export type Open311Errors = Static<typeof Open311Errors>;

/** GET discovery.{json,xml}: where the GeoReport v2 endpoint is and what it speaks. */
export const Open311Discovery = Type.Object({
  changeset: Type.String(),
  contact: Type.String(),
  key_service: Type.String(),
  endpoints: Type.Array(
    Type.Object({
      specification: Type.String(),
      url: Type.String(),
      changeset: Type.String(),
      type: Type.String(),
      formats: Type.Array(Type.String()),
    }),
  ),
});
export type Open311Discovery = Static<typeof Open311Discovery>;

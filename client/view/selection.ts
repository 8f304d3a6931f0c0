// What the user has picked besides the open area: one map object (a ticket, a checkpoint, a ranger, an
// incident), shown in the detail panel. Areas are picked through the URL (ViewState.area).
export type ObjectKind = 'ticket' | 'checkpoint' | 'ranger' | 'incident';
export interface ObjectSelection {
  kind: ObjectKind;
  id: string;
}

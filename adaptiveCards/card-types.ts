// The slice of the Adaptive Card 1.5 schema that Lightdesk emits (https://adaptivecards.io/explorer/).
// Declared as type aliases, not interfaces, so a card is assignable to core's `CardJson`
// (`Readonly<Record<string, unknown>>`): interfaces carry no implicit index signature.

export type Spacing = 'None' | 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge' | 'Padding';
export type TextColor = 'Default' | 'Dark' | 'Light' | 'Accent' | 'Good' | 'Warning' | 'Attention';
export type ContainerStyle = 'default' | 'emphasis' | 'good' | 'attention' | 'warning' | 'accent';

type ElementBase = {
  readonly id?: string;
  readonly spacing?: Spacing;
  readonly separator?: boolean;
};

export type TextBlock = ElementBase & {
  readonly type: 'TextBlock';
  readonly text: string;
  readonly wrap?: boolean;
  readonly maxLines?: number;
  readonly size?: 'Small' | 'Default' | 'Medium' | 'Large' | 'ExtraLarge';
  readonly weight?: 'Lighter' | 'Default' | 'Bolder';
  readonly color?: TextColor;
  readonly isSubtle?: boolean;
  /** 1.5: marks the text as a heading for screen readers. */
  readonly style?: 'default' | 'heading';
};

export type Image = ElementBase & {
  readonly type: 'Image';
  readonly url: string;
  readonly altText: string;
  readonly size?: 'Auto' | 'Stretch' | 'Small' | 'Medium' | 'Large';
};

export type ImageSet = ElementBase & {
  readonly type: 'ImageSet';
  readonly images: readonly Image[];
  readonly imageSize?: 'Small' | 'Medium' | 'Large';
};

export type Fact = { readonly title: string; readonly value: string };

export type FactSet = ElementBase & {
  readonly type: 'FactSet';
  readonly facts: readonly Fact[];
};

export type Container = ElementBase & {
  readonly type: 'Container';
  readonly items: readonly CardElement[];
  readonly style?: ContainerStyle;
  readonly bleed?: boolean;
  readonly selectAction?: OpenUrlAction;
};

export type Column = ElementBase & {
  readonly type: 'Column';
  readonly items: readonly CardElement[];
  readonly width?: 'auto' | 'stretch' | number;
  readonly style?: ContainerStyle;
  readonly verticalContentAlignment?: 'Top' | 'Center' | 'Bottom';
};

export type ColumnSet = ElementBase & {
  readonly type: 'ColumnSet';
  readonly columns: readonly Column[];
};

export type ActionSet = ElementBase & {
  readonly type: 'ActionSet';
  readonly actions: readonly CardAction[];
};

export type TextInput = ElementBase & {
  readonly type: 'Input.Text';
  readonly id: string;
  readonly label?: string;
  readonly placeholder?: string;
  readonly isMultiline?: boolean;
  readonly maxLength?: number;
  readonly isRequired?: boolean;
  readonly errorMessage?: string;
};

export type CardElement =
  TextBlock | Image | ImageSet | FactSet | Container | ColumnSet | ActionSet | TextInput;

/** JSON a card may carry in an action's `data`. */
export type ActionDataValue = string | number | boolean;
export type ActionData = { readonly [key: string]: ActionDataValue };

type ActionBase = {
  readonly title?: string;
  readonly style?: 'default' | 'positive' | 'destructive';
};

export type OpenUrlAction = ActionBase & {
  readonly type: 'Action.OpenUrl';
  readonly url: string;
};

export type SubmitAction = ActionBase & {
  readonly type: 'Action.Submit';
  readonly data: ActionData;
};

export type ExecuteAction = ActionBase & {
  readonly type: 'Action.Execute';
  readonly verb: string;
  readonly data: ActionData;
  /** What a client without Universal Actions renders instead. */
  readonly fallback?: SubmitAction;
};

export type ShowCardAction = ActionBase & {
  readonly type: 'Action.ShowCard';
  readonly card: ShownCard;
};

export type CardAction = OpenUrlAction | SubmitAction | ExecuteAction | ShowCardAction;

/** The card an `Action.ShowCard` reveals: a nested card without `version` or `$schema`. */
export type ShownCard = {
  readonly type: 'AdaptiveCard';
  readonly body: readonly CardElement[];
};

export type Refresh = {
  readonly action: ExecuteAction;
  readonly userIds: readonly string[];
};

export type AdaptiveCard = {
  readonly type: 'AdaptiveCard';
  readonly $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  readonly version: '1.5';
  readonly body: readonly CardElement[];
  readonly actions?: readonly CardAction[];
  readonly refresh?: Refresh;
  /** Teams-only: stretch the card to the width of the conversation. */
  readonly msteams?: { readonly width: 'Full' };
  readonly fallbackText?: string;
};

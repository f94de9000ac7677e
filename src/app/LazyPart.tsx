/**
 * A part of the page loaded behind `import()` (issue 7: the initial JavaScript stays small):
 * `fallback` while its code loads, and if the code cannot be loaded (the network went away, or the
 * server was updated under an open tab and the old chunk is gone) a plain sentence with the fix in
 * place of that part only, instead of React unmounting the whole app.
 */
import { Component, Suspense, type ReactNode } from 'react';

interface LazyPartProps {
  /** What the part is, for the failure sentence: "the ring view". */
  readonly what: string;
  readonly fallback?: ReactNode;
  /** Shown instead of the default sentence when the code cannot be loaded. */
  readonly failure?: ReactNode;
  readonly children: ReactNode;
}

export class LazyPart extends Component<LazyPartProps, { readonly failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render(): ReactNode {
    if (this.state.failed) {
      if (this.props.failure !== undefined) return this.props.failure;
      return (
        <p className="note-result error" role="alert">
          Could not load {this.props.what}. Reload the page to get it.
        </p>
      );
    }
    return <Suspense fallback={this.props.fallback ?? null}>{this.props.children}</Suspense>;
  }
}

// A rendering error never leaves a blank screen or loses the flow: the
// message is shown with a way back and a way to keep the document.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useDesigner } from '../store';

interface State {
  error: Error | null;
}

export class ErrorBoundary extends Component<{ children: ReactNode }, State> {
  state: State = { error: null };

  static getDerivedStateFromError(error: Error): State {
    return { error };
  }

  componentDidCatch(error: Error, info: ErrorInfo) {
    console.error('designer crashed', error, info.componentStack);
  }

  private download = () => {
    const doc = useDesigner.getState().current();
    const url = URL.createObjectURL(new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${doc.name || 'flow'}.json`;
    a.click();
    URL.revokeObjectURL(url);
  };

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="crash" role="alert">
        <h2>Something went wrong in the designer</h2>
        <pre>{this.state.error.message}</pre>
        <p>Your flow is still in memory.</p>
        <div className="row">
          <button type="button" className="primary" onClick={() => this.setState({ error: null })}>Try again</button>
          <button type="button" onClick={this.download}>Download the flow (JSON)</button>
        </div>
      </div>
    );
  }
}

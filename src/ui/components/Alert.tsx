/** An error message announced to screen readers (role="alert"), with a dismiss button. */
export function Alert({ message, onDismiss, id }: { message: string | null; onDismiss?: () => void; id?: string }) {
  if (!message) return null;
  return (
    <div className="alert" role="alert" id={id}>
      <span>{message}</span>
      {onDismiss && (
        <button type="button" className="link" aria-label="Dismiss error" onClick={onDismiss}>
          ×
        </button>
      )}
    </div>
  );
}

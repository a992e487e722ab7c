// dialog.js — modal confirmation and one-line prompts (a native <dialog>: focus is trapped,
// Escape cancels), for deleting a document, naming and restoring a version.
//
// Text goes through textContent only: titles and names come from other users.

function button(text, className, value) {
  const node = document.createElement('button');
  node.type = 'submit';
  node.value = value;
  node.className = className;
  node.textContent = text;
  return node;
}

// Shows the dialog; resolves to the input's value (prompt) or true (confirm) when confirmed,
// null when cancelled.
function show({ title, message, confirm, danger = false, input = null }) {
  const dialog = document.createElement('dialog');
  dialog.className = 'dialog';
  const form = document.createElement('form');
  form.method = 'dialog';
  const heading = document.createElement('h2');
  heading.textContent = title;
  form.append(heading);
  if (message) {
    const text = document.createElement('p');
    text.textContent = message;
    form.append(text);
  }
  let field = null;
  if (input) {
    const label = document.createElement('label');
    label.className = 'dialog-field';
    label.textContent = input.label;
    field = document.createElement('input');
    field.type = 'text';
    field.name = 'value';
    field.required = true;
    field.maxLength = input.maxLength ?? 200;
    field.value = input.value ?? '';
    field.autocomplete = 'off';
    label.append(field);
    form.append(label);
  }
  const actions = document.createElement('div');
  actions.className = 'dialog-actions';
  const cancel = button('Cancel', 'dialog-cancel', 'cancel');
  cancel.formNoValidate = true;
  actions.append(cancel, button(confirm, `dialog-confirm ${danger ? 'danger' : 'primary'}`, 'ok'));
  form.append(actions);
  dialog.append(form);
  document.body.append(dialog);
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'ok';
      dialog.remove();
      if (!ok) resolve(null);
      else resolve(field ? field.value.trim() || null : true);
    });
    dialog.showModal();
    (field ?? cancel).focus();
  });
}

// Resolves to true if the user confirmed, false otherwise.
export async function confirmDialog({ title, message, confirm = 'OK', danger = false }) {
  return (await show({ title, message, confirm, danger })) === true;
}

// Resolves to the trimmed text typed, or null if cancelled.
export function promptDialog({ title, message, label, value = '', confirm = 'OK', maxLength }) {
  return show({ title, message, confirm, input: { label, value, maxLength } });
}

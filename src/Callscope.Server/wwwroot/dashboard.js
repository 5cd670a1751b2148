// Callscope dashboard behaviour: menus, confirmations, clickable rows, ticking clocks and live updates.
// Plain script, no build step. Every page works without it except the menus and live refresh.
(() => {
    'use strict';

    // ---- Durations and countdowns (the same formats as the server's Display class) ----

    const pad = n => String(n).padStart(2, '0');

    const duration = ms => {
        const s = Math.max(0, Math.floor(ms / 1000));
        if (s < 60) return `${s} s`;
        if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
        return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)} min`;
    };

    const countdown = ms => {
        const s = Math.max(0, Math.ceil(ms / 1000));
        return s >= 3600
            ? `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`
            : `${Math.floor(s / 60)}:${pad(s % 60)}`;
    };

    // Values come from the server as milliseconds at render time; they tick on the browser's monotonic clock, so a
    // wrong clock on the viewer's machine cannot skew them.
    const renderedAt = new WeakMap();
    const tick = () => {
        const now = performance.now();
        for (const el of document.querySelectorAll('[data-count-up], [data-count-down]')) {
            if (!renderedAt.has(el)) renderedAt.set(el, now);
            const elapsed = now - renderedAt.get(el);
            el.textContent = 'countUp' in el.dataset
                ? duration(Number(el.dataset.countUp) + elapsed)
                : countdown(Number(el.dataset.countDown) - elapsed);
        }
    };
    tick();
    setInterval(tick, 1000);

    // ---- Menus (WAI-ARIA menu button) ----

    const menuOf = button => document.getElementById(button.getAttribute('aria-controls'));
    const itemsOf = menu => [...menu.querySelectorAll('[role="menuitem"]')];

    const closeMenu = (menu, returnFocus) => {
        if (!menu || menu.hidden) return;
        menu.hidden = true;
        const button = document.querySelector(`[aria-controls="${menu.id}"]`);
        if (button) {
            button.setAttribute('aria-expanded', 'false');
            if (returnFocus) button.focus();
        }
        settled();
    };

    const closeMenus = except => {
        for (const menu of document.querySelectorAll('[role="menu"]:not([hidden])')) {
            if (menu !== except) closeMenu(menu, false);
        }
    };

    const openMenu = (button, focus) => {
        const menu = menuOf(button);
        if (!menu) return;
        closeMenus(menu);
        menu.hidden = false;
        button.setAttribute('aria-expanded', 'true');
        // Fixed positioning keeps the menu clear of scrolling table containers.
        const box = button.getBoundingClientRect();
        const width = menu.offsetWidth;
        const height = menu.offsetHeight;
        const below = box.bottom + 4 + height <= window.innerHeight;
        menu.style.top = `${below ? box.bottom + 4 : Math.max(4, box.top - height - 4)}px`;
        menu.style.left = `${Math.max(4, Math.min(box.right - width, window.innerWidth - width - 4))}px`;
        const items = itemsOf(menu);
        (focus === 'last' ? items[items.length - 1] : items[0])?.focus();
    };

    window.addEventListener('resize', () => closeMenus());
    window.addEventListener('scroll', () => closeMenus(), { passive: true });

    // ---- Confirmation dialog ----

    const dialog = document.getElementById('confirm');
    let pendingForm = null;
    let focusAfter = null;

    const confirmWith = (source, action) => {
        if (!dialog) return false;
        document.getElementById('confirm-title').textContent = source.dataset.confirmTitle;
        document.getElementById('confirm-text').textContent = source.dataset.confirmText || '';
        document.getElementById('confirm-ok').textContent = source.dataset.confirmOk || 'Confirm';
        document.getElementById('confirm-return').value = location.pathname + location.search;
        const form = document.getElementById('confirm-form');
        pendingForm = action ? null : source;
        form.action = action || location.href;
        const menu = source.closest('[role="menu"]');
        focusAfter = menu ? document.querySelector(`[aria-controls="${menu.id}"]`) : source.querySelector('button') || source;
        closeMenus();
        dialog.showModal();
        dialog.querySelector('[data-dialog-cancel]').focus();
        return true;
    };

    if (dialog) {
        dialog.querySelector('[data-dialog-cancel]').addEventListener('click', () => dialog.close());
        document.getElementById('confirm-form').addEventListener('submit', event => {
            if (!pendingForm) return;
            event.preventDefault();
            const form = pendingForm;
            pendingForm = null;
            focusAfter = null;
            dialog.close();
            form.dataset.confirmed = 'yes';
            form.requestSubmit();
        });
        dialog.addEventListener('close', () => {
            focusAfter?.focus();
            focusAfter = null;
            settled();
        });
    }

    document.addEventListener('submit', event => {
        const form = event.target;
        if (!form.dataset.confirmTitle) return;
        if (form.dataset.confirmed === 'yes') {
            delete form.dataset.confirmed;
            return;
        }
        if (confirmWith(form, null)) event.preventDefault();
    });

    // ---- Clicks and keys ----

    document.addEventListener('click', event => {
        const target = event.target;
        const button = target.closest('[aria-haspopup="menu"]');
        if (button) {
            const menu = menuOf(button);
            if (menu && !menu.hidden) closeMenu(menu, false);
            else openMenu(button, 'first');
            return;
        }

        const confirmLink = target.closest('a[data-confirm-title]');
        if (confirmLink && confirmWith(confirmLink, confirmLink.href)) {
            event.preventDefault();
            return;
        }

        if (!target.closest('[role="menu"]')) closeMenus();

        const row = target.closest('tr[data-href]');
        if (row && !target.closest('a, button, input, select, label, [role="menu"]') && !String(window.getSelection())) {
            location.href = row.dataset.href;
        }
    });

    document.addEventListener('keydown', event => {
        const button = event.target.closest('[aria-haspopup="menu"]');
        if (button && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
            event.preventDefault();
            openMenu(button, event.key === 'ArrowUp' ? 'last' : 'first');
            return;
        }

        const menu = event.target.closest('[role="menu"]');
        if (!menu) return;
        const items = itemsOf(menu);
        const at = items.indexOf(document.activeElement);
        const move = index => { event.preventDefault(); items[(index + items.length) % items.length]?.focus(); };
        switch (event.key) {
            case 'ArrowDown': move(at + 1); break;
            case 'ArrowUp': move(at - 1); break;
            case 'Home': move(0); break;
            case 'End': move(items.length - 1); break;
            case 'Escape': event.preventDefault(); closeMenu(menu, true); break;
            case 'Tab': closeMenu(menu, false); break;
            case ' ': event.preventDefault(); document.activeElement.click(); break;
            default: break;
        }
    });

    // A filter box that stands for a choice (such as "With problems") applies at once; without script its form's button does.
    document.addEventListener('change', event => {
        if (event.target.matches?.('[data-submit-on-change]')) event.target.form?.requestSubmit();
    });

    document.addEventListener('focusin', event => {
        if (event.target.matches?.('[data-select-on-focus]')) event.target.select();
    });

    // ---- Live updates ----
    // The server says "changed" over server-sent events; the page fetches itself again and swaps the parts marked
    // data-live. While a menu or the dialog is open the swap waits, so nothing moves under the pointer.

    let fetching = false;
    let wanted = false;

    const busy = () => document.querySelector('[role="menu"]:not([hidden])') !== null || dialog?.open === true;

    const focusKey = el => {
        if (!el || el === document.body) return null;
        if (el.id) return `#${CSS.escape(el.id)}`;
        const controls = el.getAttribute('aria-controls');
        if (controls) return `[aria-controls="${CSS.escape(controls)}"]`;
        const href = el.getAttribute('href');
        return href ? `[href="${CSS.escape(href)}"]` : null;
    };

    const refresh = async () => {
        if (fetching || busy()) {
            wanted = true;
            return;
        }
        fetching = true;
        wanted = false;
        try {
            const response = await fetch(location.href, { headers: { Accept: 'text/html', 'X-Live-Refresh': '1' }, cache: 'no-store', credentials: 'same-origin' });
            if (response.redirected && new URL(response.url).pathname === '/signin') {
                location.reload();
                return;
            }
            if (!response.ok) return;
            const fresh = new DOMParser().parseFromString(await response.text(), 'text/html');
            if (busy()) {
                wanted = true;
                return;
            }
            for (const region of document.querySelectorAll('[data-live][id]')) {
                const replacement = fresh.getElementById(region.id);
                if (!replacement) continue;
                const key = region.contains(document.activeElement) ? focusKey(document.activeElement) : null;
                const node = document.importNode(replacement, true);
                region.replaceWith(node);
                if (key) node.querySelector(key)?.focus();
            }
            tick();
        } catch {
            wanted = true;
        } finally {
            fetching = false;
            if (wanted) setTimeout(refresh, 250);
        }
    };

    function settled() {
        if (wanted && !busy()) refresh();
    }

    const feed = document.body.dataset.updates;
    const version = document.body.dataset.version;
    if (feed && version && 'EventSource' in window) {
        const source = new EventSource(`${feed}?since=${encodeURIComponent(version)}`);
        source.addEventListener('changed', refresh);
    }
})();

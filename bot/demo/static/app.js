/* 清廉助手 · 演示聊天页
 *
 * Plain JS, no build step. Talks to the sandbox control API on the same origin:
 *   GET  /control/users
 *   GET  /control/chats/{id}/messages?since=REV&wait=SECONDS
 *   POST /control/users/{id}/messages   {"text"}
 *   POST /control/users/{id}/callback   {"message_id", "data"}
 *   POST /control/users/{id}/files      multipart: file, kind (photo|document), caption?
 * All message text is inserted with text nodes / textContent, never as HTML.
 */
(() => {
  'use strict';

  const API = '/control';
  const LS_USER = 'qinglian-demo:user';
  const LONG_POLL_WAIT = 20;        // seconds, server caps at 25
  const BG_POLL_INTERVAL = 3000;    // ms between sweeps of the other members' chats
  const USERS_REFRESH_EVERY = 5;    // sweeps
  const NEAR_BOTTOM_PX = 120;

  const COMMANDS = [
    ['/start', '开始使用，显示主菜单'],
    ['/help', '查看帮助与全部命令'],
    ['/quiz', '开始纪律法规答题'],
    ['/review', '复习答错的题目'],
    ['/me', '我的学习记录与积分'],
    ['/report', '匿名反映问题'],
    ['/status', '查询反映的处理进度'],
    ['/settings', '提醒与通知设置'],
    ['/digest', '查看每周廉政周报'],
    ['/reports', '处理收到的反映（纪检监察组）'],
    ['/invite', '生成成员邀请（管理员）'],
    ['/members', '查看与管理成员（管理员）'],
    ['/broadcast', '向全体成员发送通知（管理员）'],
    ['/cancel', '取消当前操作'],
  ];

  // Suggested first steps per role, shown on an empty chat.
  // Matched against the role part of a label ("干部 · 应急指挥科" → "干部").
  const ROLE_TIPS = [
    { match: /管理员|admin/i, tip: '管理员可以邀请成员、管理角色、发送通知。', cmds: ['/start', '/members', '/invite', '/broadcast'] },
    { match: /纪检|监察|审核|review/i, tip: '纪检监察组负责查看和处理匿名反映。', cmds: ['/start', '/reports', '/help'] },
    { match: /领导|局长|主任|leader/i, tip: '领导可以查看每周廉政周报和整体学习情况。', cmds: ['/start', '/digest', '/help'] },
    { match: /访客|尚未|guest|visitor/i, tip: '还没有加入单位？发送 /start 看看如何通过邀请加入。', cmds: ['/start', '/help'] },
    { match: /.*/, tip: '干部可以每日答题学习纪律法规，也可以匿名反映问题。', cmds: ['/start', '/quiz', '/report', '/me'] },
  ];

  // ───────────────────────── helpers ─────────────────────────
  const $ = (id) => document.getElementById(id);
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const pad = (n) => String(n).padStart(2, '0');

  function h(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  const SVG_NS = 'http://www.w3.org/2000/svg';
  function icon(pathD, className) {
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    if (className) svg.setAttribute('class', className);
    const p = document.createElementNS(SVG_NS, 'path');
    p.setAttribute('d', pathD);
    svg.appendChild(p);
    return svg;
  }
  const ICON_LINK = 'M14 3v2h3.6l-9.8 9.8 1.4 1.4L19 6.4V10h2V3zm5 16H5V5h7V3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2v-7h-2z';
  const ICON_CHECKS = 'M18 7l-1.4-1.4-6.3 6.3 1.4 1.4zm4.2-1.4L11.7 16.2 7.5 12l-1.4 1.4 5.6 5.6 12-12zM.4 13.4 6 19l1.4-1.4L1.8 12z';
  const ICON_DOWNLOAD = 'M19 9h-4V3H9v6H5l7 7zM5 18v2h14v-2z';

  function safeUrl(raw, { allowBare = false } = {}) {
    if (typeof raw !== 'string' || !raw.trim()) return null;
    let s = raw.trim();
    if (allowBare && !/^[a-z][a-z0-9+.-]*:/i.test(s)) s = 'http://' + s;
    try {
      const u = new URL(s, location.href);
      if (['http:', 'https:', 'mailto:', 'tel:'].includes(u.protocol)) return u.href;
    } catch (_) { /* fall through */ }
    return null;
  }

  function fmtTime(sec) {
    if (!sec) return '';
    const d = new Date(sec * 1000);
    return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  function dayKey(sec) {
    const d = new Date((sec || 0) * 1000);
    return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
  }
  function fmtDay(sec) {
    const d = new Date(sec * 1000);
    const now = new Date();
    const start = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
    const diff = Math.round((start(now) - start(d)) / 86400000);
    if (diff === 0) return '今天';
    if (diff === 1) return '昨天';
    if (d.getFullYear() === now.getFullYear()) return `${d.getMonth() + 1}月${d.getDate()}日`;
    return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
  }
  function fmtListTime(sec) {
    if (!sec) return '';
    return dayKey(sec) === dayKey(Date.now() / 1000) ? fmtTime(sec) : fmtDay(sec);
  }

  function userName(u) {
    if (!u) return '';
    const first = u.first_name || '';
    const last = u.last_name || '';
    if (!last) return first || (u.username ? '@' + u.username : `用户 ${u.id}`);
    // Chinese names read without a space.
    const cjk = /[\u3400-\u9fff]/;
    return cjk.test(first) || cjk.test(last) ? first + last : `${first} ${last}`;
  }
  function userLabel(u) { return (u && u.label) || '成员'; }
  // The role is the label's first part: "干部 · 安全生产监督管理科" is a 干部, not a 管理员.
  function labelRole(label) {
    return String(label || '').trim().split(/\s*[·・|｜/（(，,]\s*|\s+/)[0] || '';
  }
  function labelClass(label) {
    const l = labelRole(label);
    if (/管理员|admin/i.test(l)) return 'role-admin';
    if (/纪检|监察|审核|review/i.test(l)) return 'role-review';
    if (/领导|局长|主任|leader/i.test(l)) return 'role-leader';
    if (/干部|职工|科员|staff|member/i.test(l)) return 'role-staff';
    return 'role-other';
  }
  function avatarChar(u) {
    const name = userName(u);
    return Array.from(name.replace(/^@/, ''))[0] || '?';
  }

  async function api(path, { method = 'GET', body, signal } = {}) {
    const opts = { method, signal, cache: 'no-store', headers: {} };
    if (body instanceof FormData) {
      opts.body = body;
    } else if (body !== undefined) {
      opts.body = JSON.stringify(body);
      opts.headers['Content-Type'] = 'application/json';
    }
    const resp = await fetch(path, opts);
    const raw = await resp.text();
    let data = null;
    try { data = raw ? JSON.parse(raw) : {}; } catch (_) { data = null; }
    if (!resp.ok) {
      const msg = (data && (data.description || data.error || data.message)) || `HTTP ${resp.status}`;
      const err = new Error(msg);
      err.status = resp.status;
      throw err;
    }
    if (data === null) throw new Error('响应格式错误');
    return data;
  }

  // ───────────────────────── state ─────────────────────────
  const state = {
    users: [],
    usersById: new Map(),   // String(id) -> User
    chats: new Map(),       // String(id) -> ChatState
    current: null,          // String(id) of the member being shown
    fgToken: 0,
    fgAbort: null,
    drafts: new Map(),
    attachment: null,       // {file, kind, url}
    uploading: false,
    shownToasts: new Set(),
    alerts: [],
    connFailures: 0,
    readyWaiters: [],
    msgEls: new Map(),      // message_id -> element, for the current chat
    newBelow: 0,
  };

  function getChat(uid) {
    const key = String(uid);
    let c = state.chats.get(key);
    if (!c) {
      c = { rev: 0, loaded: false, messages: new Map(), unread: 0 };
      state.chats.set(key, c);
    }
    return c;
  }

  // ───────────────────────── DOM refs ─────────────────────────
  const els = {
    app: $('app'),
    members: $('members'),
    membersEmpty: $('members-empty'),
    messages: $('messages'),
    emptyState: $('empty-state'),
    chatSub: $('chat-sub'),
    whoami: $('whoami'),
    whoamiLabel: $('whoami-label'),
    whoamiName: $('whoami-name'),
    connBanner: $('conn-banner'),
    connText: $('conn-text'),
    toBottom: $('to-bottom'),
    toBottomCount: $('to-bottom-count'),
    toastLayer: $('toast-layer'),
    input: $('composer-input'),
    send: $('send-button'),
    cmdButton: $('cmd-button'),
    cmdPopup: $('cmd-popup'),
    attachButton: $('attach-button'),
    attachMenu: $('attach-menu'),
    attachPreview: $('attach-preview'),
    attachThumb: $('attach-thumb'),
    attachIcon: $('attach-icon'),
    attachKind: $('attach-kind'),
    attachName: $('attach-name'),
    filePhoto: $('file-photo'),
    fileDocument: $('file-document'),
    alertModal: $('alert-modal'),
    alertText: $('alert-text'),
    alertOk: $('alert-ok'),
    lightbox: $('lightbox'),
    lightboxImg: $('lightbox-img'),
  };

  // ───────────────────────── entities → DOM ─────────────────────────
  // Offsets/lengths are UTF-16 code units, which is exactly how JS strings index.
  const ENTITY_ORDER = { blockquote: 0, expandable_blockquote: 0, pre: 1, text_link: 2, url: 2, spoiler: 3 };

  function renderEntities(container, text, entities, { mine = false } = {}) {
    if (!text) return container;
    const len = text.length;
    const list = (Array.isArray(entities) ? entities : [])
      .filter((e) => e && Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0 && e.offset >= 0 && e.offset < len)
      .map((e) => ({ ...e, end: Math.min(len, e.offset + e.length) }))
      .sort((a, b) => a.offset - b.offset || b.end - a.end ||
        (ENTITY_ORDER[a.type] ?? 9) - (ENTITY_ORDER[b.type] ?? 9));

    const build = (parent, start, end, ents) => {
      let pos = start;
      let i = 0;
      while (i < ents.length) {
        const e = ents[i];
        let j = i + 1;
        const children = [];
        while (j < ents.length && ents[j].offset < e.end) { children.push(ents[j]); j += 1; }
        const s = Math.max(e.offset, pos);
        const t = Math.min(e.end, end);
        if (s < t) {
          if (s > pos) parent.appendChild(document.createTextNode(text.slice(pos, s)));
          const { outer, inner } = entityElement(e, text.slice(s, t), mine);
          build(inner, s, t, children);
          parent.appendChild(outer);
          pos = t;
        }
        i = j;
      }
      if (pos < end) parent.appendChild(document.createTextNode(text.slice(pos, end)));
    };
    build(container, 0, len, list);
    if (!mine) autolink(container);

    // Block entities sit on their own lines: drop the newline that separates them from the
    // surrounding text so that pre-wrap does not show an extra blank line.
    container.querySelectorAll('blockquote, pre').forEach((b) => {
      const prev = b.previousSibling;
      if (prev && prev.nodeType === 3 && prev.data.endsWith('\n')) prev.data = prev.data.slice(0, -1);
      const next = b.nextSibling;
      if (next && next.nodeType === 3 && next.data.startsWith('\n')) next.data = next.data.slice(1);
    });
    return container;
  }

  // Telegram clients make /commands and bare links in bot messages clickable even without
  // entities; do the same for text outside links, buttons and code.
  const AUTOLINK_RE = /(?<![A-Za-z0-9_\/.:@-])(\/[A-Za-z][A-Za-z0-9_]{0,31}(?:@[A-Za-z][A-Za-z0-9_]{3,31})?)(?![A-Za-z0-9_\/])|(https?:\/\/[^\s<>"'，。；、）)\]】]+[^\s<>"'，。；、）)\]】.,;:!?])/g;

  function autolink(container) {
    const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement && n.parentElement.closest('a, button, code, pre, .spoiler')
        ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    for (const node of nodes) {
      const t = node.data;
      AUTOLINK_RE.lastIndex = 0;
      if (!AUTOLINK_RE.test(t)) continue;
      AUTOLINK_RE.lastIndex = 0;
      const frag = document.createDocumentFragment();
      let last = 0;
      let m;
      while ((m = AUTOLINK_RE.exec(t)) !== null) {
        if (m.index > last) frag.appendChild(document.createTextNode(t.slice(last, m.index)));
        if (m[1]) {
          const b = h('button', 'cmd-link', m[1]);
          b.type = 'button';
          b.dataset.command = m[1];
          b.title = '发送 ' + m[1];
          frag.appendChild(b);
        } else {
          const href = safeUrl(m[2]);
          if (href) {
            const a = h('a', 'link', m[2]);
            a.href = href;
            a.target = '_blank';
            a.rel = 'noopener noreferrer';
            frag.appendChild(a);
          } else {
            frag.appendChild(document.createTextNode(m[2]));
          }
        }
        last = m.index + m[0].length;
      }
      if (last < t.length) frag.appendChild(document.createTextNode(t.slice(last)));
      node.replaceWith(frag);
    }
  }

  function entityElement(e, segment, mine) {
    let node;
    switch (e.type) {
      case 'bold': node = h('strong'); break;
      case 'italic': node = h('em'); break;
      case 'underline': node = h('u'); break;
      case 'strikethrough': node = h('s'); break;
      case 'code': node = h('code', 'code-inline'); node.title = '点击复制'; break;
      case 'pre': {
        const pre = h('pre', 'code-block');
        if (e.language) pre.appendChild(h('span', 'code-lang', e.language));
        const code = h('code');
        if (e.language) code.dataset.language = e.language;
        pre.appendChild(code);
        return { outer: pre, inner: code };
      }
      case 'blockquote':
      case 'expandable_blockquote':
        node = h('blockquote', 'quote');
        break;
      case 'spoiler':
        node = h('span', 'spoiler');
        node.setAttribute('role', 'button');
        node.tabIndex = 0;
        node.setAttribute('aria-label', '隐藏内容，点击显示');
        break;
      case 'text_link':
      case 'url':
      case 'email':
      case 'phone_number':
      case 'mention': {
        let href = null;
        if (e.type === 'text_link') href = safeUrl(e.url);
        else if (e.type === 'url') href = safeUrl(segment, { allowBare: true });
        else if (e.type === 'email') href = safeUrl('mailto:' + segment);
        else if (e.type === 'phone_number') href = safeUrl('tel:' + segment.replace(/[^\d+]/g, ''));
        else if (e.type === 'mention') href = safeUrl('https://t.me/' + segment.replace(/^@/, ''));
        if (href) {
          node = h('a', 'link');
          node.href = href;
          node.target = '_blank';
          node.rel = 'noopener noreferrer';
          if (e.type === 'text_link') node.title = href;
        } else {
          node = h('span', 'link-disabled');
        }
        break;
      }
      case 'bot_command':
        if (mine) { node = h('span', 'cmd-text'); break; }
        node = h('button', 'cmd-link');
        node.type = 'button';
        node.dataset.command = segment;
        node.title = '发送 ' + segment;
        break;
      case 'hashtag':
      case 'cashtag':
        node = h('span', 'hashtag');
        break;
      default:
        node = h('span');
    }
    return { outer: node, inner: node };
  }

  // ───────────────────────── message rendering ─────────────────────────
  const imageSizes = new Map();   // url -> [w, h], so re-renders keep their height

  function messagePreview(m) {
    if (!m) return '';
    const body = (m.text || m.caption || '').replace(/\s+/g, ' ').trim();
    if (m.photo) return body ? `[图片] ${body}` : '[图片]';
    if (m.document) return `[文件] ${body || m.document.file_name || ''}`.trim();
    return body;
  }

  function metaElement(m) {
    const meta = h('span', 'meta');
    if (m.edit_date) meta.appendChild(h('span', 'edited', '已编辑'));
    const t = h('time', 'time', fmtTime(m.date));
    if (m.date) t.dateTime = new Date(m.date * 1000).toISOString();
    meta.appendChild(t);
    if (!m.from_bot) {
      const ok = icon(ICON_CHECKS, 'checks');
      meta.appendChild(ok);
    }
    return meta;
  }

  function fileExt(name) {
    const m = /\.([a-z0-9]{1,5})$/i.exec(name || '');
    return m ? m[1].toUpperCase() : '文件';
  }

  function renderMessage(m) {
    const mine = !m.from_bot;
    const row = h('div', `msg ${mine ? 'user' : 'bot'}`);
    row.dataset.messageId = String(m.message_id);
    row.dataset.day = dayKey(m.date);

    const col = h('div', 'msg-col');
    const bubble = h('div', 'bubble');
    const caption = m.caption || '';
    const text = m.text || '';
    const hasBody = Boolean(text || caption);

    if (m.photo && m.photo.url) {
      bubble.classList.add('has-photo');
      const url = m.photo.url;
      const btn = h('button', 'photo');
      btn.type = 'button';
      btn.dataset.full = url;
      btn.setAttribute('aria-label', '查看大图');
      const img = h('img');
      img.alt = caption ? `图片：${caption.slice(0, 80)}` : '图片';
      img.decoding = 'async';
      const known = imageSizes.get(url);
      if (known) {
        img.width = known[0];
        img.height = known[1];
      } else {
        btn.classList.add('loading');
      }
      img.addEventListener('load', () => {
        imageSizes.set(url, [img.naturalWidth, img.naturalHeight]);
        const stick = isNearBottom();
        btn.classList.remove('loading');
        if (stick && row.isConnected) scrollToBottom();
      });
      img.addEventListener('error', () => {
        btn.classList.remove('loading');
        btn.classList.add('broken');
        img.alt = '图片加载失败';
      });
      img.src = url;
      btn.appendChild(img);
      if (!hasBody) btn.appendChild(metaElement(m));
      bubble.appendChild(btn);
      if (!hasBody) bubble.classList.add('photo-only');
    }

    if (m.document) {
      const d = m.document;
      const name = d.file_name || '文件';
      const href = d.url ? safeUrl(d.url) : null;
      const card = h('div', 'doc-card');
      const ico = h(href ? 'a' : 'span', 'doc-icon');
      ico.appendChild(icon(ICON_DOWNLOAD));
      ico.appendChild(h('span', 'doc-ext', fileExt(name)));
      const info = h('div', 'doc-info');
      const nm = h('div', 'doc-name', name);
      nm.title = name;
      info.appendChild(nm);
      const sub = h('div', 'doc-sub');
      if (href) {
        ico.href = href;
        ico.setAttribute('download', name);
        ico.setAttribute('aria-label', '下载 ' + name);
        const a = h('a', 'doc-link', '下载');
        a.href = href;
        a.setAttribute('download', name);
        sub.appendChild(a);
      }
      if (d.mime_type) sub.appendChild(h('span', 'doc-mime', d.mime_type));
      info.appendChild(sub);
      card.appendChild(ico);
      card.appendChild(info);
      bubble.appendChild(card);
      if (!hasBody) {
        const metaWrap = h('div', 'text meta-only');
        metaWrap.appendChild(metaElement(m));
        bubble.appendChild(metaWrap);
      }
    }

    if (hasBody) {
      const body = h('div', 'text');
      if (text) renderEntities(body, text, m.entities, { mine });
      else renderEntities(body, caption, m.caption_entities, { mine });
      body.appendChild(metaElement(m));
      bubble.appendChild(body);
    } else if (!m.photo && !m.document) {
      const body = h('div', 'text');
      body.appendChild(h('span', 'unsupported', '［暂不支持显示的消息］'));
      body.appendChild(metaElement(m));
      bubble.appendChild(body);
    }
    col.appendChild(bubble);

    const kb = m.reply_markup && Array.isArray(m.reply_markup.inline_keyboard) ? m.reply_markup.inline_keyboard : null;
    if (kb && kb.length) {
      const wrap = h('div', 'keyboard');
      wrap.setAttribute('role', 'group');
      wrap.setAttribute('aria-label', '消息按钮');
      for (const rowBtns of kb) {
        if (!Array.isArray(rowBtns) || !rowBtns.length) continue;
        const r = h('div', 'kb-row');
        for (const b of rowBtns) {
          if (!b) continue;
          const btn = h('button', 'kb-button');
          btn.type = 'button';
          btn.appendChild(h('span', 'kb-text', b.text || ''));
          if (b.url) {
            const href = safeUrl(b.url);
            btn.classList.add('kb-url');
            if (href) btn.dataset.url = href;
            btn.title = b.url;
            btn.appendChild(icon(ICON_LINK, 'kb-icon'));
          } else if (typeof b.callback_data === 'string') {
            btn.dataset.data = b.callback_data;
          } else {
            btn.classList.add('kb-unsupported');
            btn.title = '演示中不支持此类按钮';
          }
          r.appendChild(btn);
        }
        wrap.appendChild(r);
      }
      col.appendChild(wrap);
      row.classList.add('has-keyboard');
    }
    row.appendChild(col);
    return row;
  }

  // ───────────────────────── chat view ─────────────────────────
  function isNearBottom() {
    const box = els.messages;
    return box.scrollHeight - box.scrollTop - box.clientHeight < NEAR_BOTTOM_PX;
  }
  function scrollToBottom(smooth) {
    const box = els.messages;
    if (smooth && 'scrollBehavior' in document.documentElement.style) {
      box.scrollTo({ top: box.scrollHeight, behavior: 'smooth' });
    } else {
      box.scrollTop = box.scrollHeight;
    }
    state.newBelow = 0;
    updateToBottom();
  }
  function updateToBottom() {
    const show = !isNearBottom();
    els.toBottom.hidden = !show;
    if (!show) state.newBelow = 0;
    els.toBottomCount.hidden = !(show && state.newBelow > 0);
    els.toBottomCount.textContent = state.newBelow > 99 ? '99+' : String(state.newBelow);
  }

  function sortedVisible(chat) {
    return [...chat.messages.values()]
      .filter((m) => !m.deleted)
      .sort((a, b) => a.message_id - b.message_id);
  }

  function renderChat() {
    const box = els.messages;
    box.textContent = '';
    state.msgEls.clear();
    state.newBelow = 0;
    const uid = state.current;
    if (!uid) { updateEmptyState(); return; }
    const chat = getChat(uid);
    if (!chat.loaded) {
      const loading = h('div', 'loading-note');
      loading.appendChild(h('span', 'spinner'));
      loading.appendChild(h('span', '', '正在加载聊天记录…'));
      box.appendChild(loading);
    }
    const frag = document.createDocumentFragment();
    for (const m of sortedVisible(chat)) {
      const node = renderMessage(m);
      state.msgEls.set(m.message_id, node);
      frag.appendChild(node);
    }
    box.appendChild(frag);
    relayout();
    updateEmptyState();
    scrollToBottom();
  }

  function insertInOrder(node, id) {
    const box = els.messages;
    let ref = box.lastElementChild;
    while (ref) {
      if (ref.classList.contains('msg') && Number(ref.dataset.messageId) < id) break;
      ref = ref.previousElementSibling;
    }
    if (ref) ref.after(node);
    else box.prepend(node);
  }

  function removeAnimated(node) {
    node.classList.remove('msg', 'bot', 'user');
    node.classList.add('msg-removing');
    delete node.dataset.messageId;
    const height = node.offsetHeight;
    node.style.height = height + 'px';
    void node.offsetHeight;
    node.style.height = '0px';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      node.remove();
      relayout();
    };
    node.addEventListener('transitionend', finish, { once: true });
    setTimeout(finish, 400);
  }

  function applyChangesToView(changed, { forceScroll = false } = {}) {
    if (!changed.length) return;
    const stick = forceScroll || isNearBottom();
    let appendedBot = 0;
    const loadingNote = els.messages.querySelector('.loading-note');
    if (loadingNote) loadingNote.remove();
    for (const m of changed.sort((a, b) => a.message_id - b.message_id)) {
      const old = state.msgEls.get(m.message_id);
      if (m.deleted) {
        if (old) {
          state.msgEls.delete(m.message_id);
          removeAnimated(old);
        }
        continue;
      }
      const node = renderMessage(m);
      if (old) {
        // Keep revealed spoilers revealed across an edit of other parts.
        old.replaceWith(node);
        if (m.edit_date) node.classList.add('just-edited');
      } else {
        node.classList.add('appear');
        insertInOrder(node, m.message_id);
        if (m.from_bot) appendedBot += 1;
      }
      state.msgEls.set(m.message_id, node);
    }
    relayout();
    updateEmptyState();
    if (stick) {
      scrollToBottom();
    } else {
      state.newBelow += appendedBot;
      updateToBottom();
    }
  }

  function relayout() {
    const box = els.messages;
    box.querySelectorAll('.date-sep').forEach((n) => n.remove());
    const rows = [...box.querySelectorAll('.msg')];
    let prevDay = null;
    let prevSide = null;
    rows.forEach((node, i) => {
      const day = node.dataset.day;
      const side = node.classList.contains('bot') ? 'bot' : 'user';
      if (day !== prevDay) {
        const id = Number(node.dataset.messageId);
        const chat = state.current ? getChat(state.current) : null;
        const m = chat && chat.messages.get(id);
        const sep = h('div', 'date-sep');
        sep.appendChild(h('span', '', m ? fmtDay(m.date) : ''));
        node.before(sep);
      }
      node.classList.toggle('group-first', day !== prevDay || side !== prevSide);
      const next = rows[i + 1];
      const nextSide = next ? (next.classList.contains('bot') ? 'bot' : 'user') : null;
      node.classList.toggle('group-last', !next || next.dataset.day !== day || nextSide !== side);
      prevDay = day;
      prevSide = side;
    });
  }

  function updateEmptyState() {
    const uid = state.current;
    const chat = uid ? getChat(uid) : null;
    const empty = Boolean(chat && chat.loaded && !els.messages.querySelector('.msg'));
    els.emptyState.hidden = !empty;
    if (empty) renderRoleTips();
  }

  function renderRoleTips() {
    const card = els.emptyState.querySelector('.empty-card');
    let tips = card.querySelector('.role-tips');
    if (!tips) {
      tips = h('div', 'role-tips');
      card.appendChild(tips);
    }
    tips.textContent = '';
    const u = state.usersById.get(state.current);
    const rule = ROLE_TIPS.find((r) => r.match.test(labelRole(userLabel(u))));
    tips.appendChild(h('p', 'role-tip', rule.tip));
    const chips = h('div', 'chips');
    for (const cmd of rule.cmds) {
      const c = h('button', 'chip', cmd);
      c.type = 'button';
      c.dataset.command = cmd;
      const desc = COMMANDS.find((x) => x[0] === cmd);
      if (desc) c.title = desc[1];
      chips.appendChild(c);
    }
    tips.appendChild(chips);
  }

  // ───────────────────────── members list ─────────────────────────
  const memberEls = new Map();   // String(id) -> {li, button, name, label, time, preview, badge, avatar}

  function renderMembers() {
    const seen = new Set();
    els.membersEmpty.hidden = state.users.length > 0;
    if (!state.users.length) els.membersEmpty.textContent = '暂无演示成员，等待服务器添加…';
    for (const u of state.users) {
      const key = String(u.id);
      seen.add(key);
      let m = memberEls.get(key);
      if (!m) {
        const li = h('li', 'member-item');
        const button = h('button', 'member');
        button.type = 'button';
        button.dataset.userId = key;
        const avatar = h('span', 'avatar');
        avatar.setAttribute('aria-hidden', 'true');
        const main = h('span', 'member-main');
        const top = h('span', 'member-top');
        const name = h('span', 'member-name');
        const time = h('span', 'member-time');
        top.append(name, time);
        const role = h('span', 'member-role');
        const label = h('span', 'label-chip');
        role.appendChild(label);
        const bottom = h('span', 'member-bottom');
        const preview = h('span', 'member-preview');
        const badge = h('span', 'badge');
        badge.hidden = true;
        bottom.append(preview, badge);
        main.append(top, role, bottom);
        button.append(avatar, main);
        li.appendChild(button);
        m = { li, button, avatar, name, label, time, preview, badge };
        memberEls.set(key, m);
      }
      // keep DOM order equal to the users order
      els.members.appendChild(m.li);
      const lbl = userLabel(u);
      setText(m.name, userName(u));
      setText(m.label, lbl);
      m.label.title = lbl;
      m.label.className = 'label-chip ' + labelClass(lbl);
      setText(m.avatar, avatarChar(u));
      m.avatar.className = 'avatar ' + labelClass(lbl);
      updateMemberRow(key);
    }
    for (const [key, m] of memberEls) {
      if (!seen.has(key)) { m.li.remove(); memberEls.delete(key); }
    }
    updateTitle();
  }

  function setText(node, text) { if (node.textContent !== text) node.textContent = text; }

  function updateMemberRow(key) {
    const m = memberEls.get(key);
    if (!m) return;
    const chat = getChat(key);
    const u = state.usersById.get(key);
    const active = key === state.current;
    m.button.classList.toggle('active', active);
    if (active) m.button.setAttribute('aria-current', 'true');
    else m.button.removeAttribute('aria-current');
    const visible = sortedVisible(chat);
    const last = visible[visible.length - 1];
    let preview = last ? messagePreview(last) : (chat.loaded ? '暂无消息，点此开始体验' : '');
    if (last && !last.from_bot) preview = '我：' + preview;
    setText(m.preview, preview);
    setText(m.time, last ? fmtListTime(last.date) : '');
    const n = active ? 0 : chat.unread;
    m.badge.hidden = n <= 0;
    setText(m.badge, n > 99 ? '99+' : String(n));
    m.button.setAttribute('aria-label',
      `${userLabel(u)} ${userName(u)}${n > 0 ? `，${n} 条未读消息` : ''}`);
  }

  function updateTitle() {
    let total = 0;
    for (const [key, c] of state.chats) if (key !== state.current) total += c.unread;
    document.title = (total > 0 ? `(${total}) ` : '') + '清廉助手 · 演示';
  }

  function renderHeader() {
    const u = state.usersById.get(state.current);
    if (!u) {
      els.chatSub.textContent = '请选择左侧的体验身份';
      els.whoami.hidden = true;
      return;
    }
    const lbl = userLabel(u);
    els.chatSub.textContent = '';
    els.chatSub.append(
      h('span', 'sub-wide', '廉政学习与提醒 · 私聊'),
      h('span', 'sub-narrow', `当前身份：${lbl} · ${userName(u)}`),
    );
    els.chatSub.title = `你正以「${lbl} · ${userName(u)}」的身份与机器人私聊`;
    els.whoami.hidden = false;
    els.whoamiLabel.textContent = lbl;
    els.whoamiLabel.className = 'label-chip ' + labelClass(lbl);
    els.whoamiName.textContent = userName(u);
  }

  // ───────────────────────── updates from the server ─────────────────────────
  function applyUpdate(uid, data, { advanceRev = true, forceScroll = false } = {}) {
    const key = String(uid);
    const chat = getChat(key);
    const firstLoad = !chat.loaded && advanceRev;
    const changed = [];
    let newBot = 0;
    let maxRev = 0;
    for (const m of (data && data.messages) || []) {
      if (!m || m.message_id === undefined || m.message_id === null) continue;
      maxRev = Math.max(maxRev, m.rev || 0);
      const prev = chat.messages.get(m.message_id);
      if (prev && (prev.rev || 0) >= (m.rev || 0) && !(m.deleted && !prev.deleted)) continue;
      chat.messages.set(m.message_id, m);
      changed.push(m);
      if (!prev && m.from_bot && !m.deleted && !firstLoad) newBot += 1;
    }
    const toasts = (data && data.toasts) || [];
    for (const t of toasts) maxRev = Math.max(maxRev, t.rev || 0);
    if (advanceRev) {
      const r = typeof data.rev === 'number' ? data.rev : 0;
      chat.rev = Math.max(chat.rev, r, maxRev);
      chat.loaded = true;
    }

    const isCurrent = key === state.current;
    if (isCurrent) {
      if (firstLoad) renderChat();
      else applyChangesToView(changed, { forceScroll });
      if (!firstLoad) {
        for (const t of toasts) {
          const id = `${key}:${t.rev}:${t.callback_query_id || ''}`;
          if (state.shownToasts.has(id)) continue;
          state.shownToasts.add(id);
          if (t.text) {
            if (t.show_alert) showAlert(t.text);
            else showToast(t.text);
          }
        }
      }
      if (toasts.length) clearPendingButtons();
    } else if (newBot > 0) {
      chat.unread += newBot;
    }
    if (changed.length || firstLoad || newBot) {
      updateMemberRow(key);
      updateTitle();
    }
  }

  // Long poll for the chat on screen. A new token cancels the previous loop.
  async function foregroundLoop(token, uid) {
    let backoff = 1000;
    while (token === state.fgToken) {
      const chat = getChat(uid);
      const wait = chat.loaded ? LONG_POLL_WAIT : 0;
      const ctrl = new AbortController();
      state.fgAbort = ctrl;
      const guard = setTimeout(() => ctrl.abort(), (wait + 15) * 1000);
      const started = Date.now();
      try {
        const data = await api(`${API}/chats/${encodeURIComponent(uid)}/messages?since=${chat.rev}&wait=${wait}`,
          { signal: ctrl.signal });
        clearTimeout(guard);
        if (token !== state.fgToken) return;
        applyUpdate(uid, data);
        setConnected(true);
        backoff = 1000;
        const empty = !(data.messages && data.messages.length) && !(data.toasts && data.toasts.length);
        // A server that answers instantly with nothing must not make us spin.
        if (wait > 0 && empty && Date.now() - started < 500) await sleep(1000);
      } catch (err) {
        clearTimeout(guard);
        if (token !== state.fgToken) return;
        if (err.status === 404) {
          // No timeline for this chat yet: show it as empty and look again shortly.
          applyUpdate(uid, { rev: chat.rev, messages: [], toasts: [] });
          setConnected(true);
          await sleep(2000);
          continue;
        }
        setConnected(false);
        await sleep(backoff + Math.random() * 300);
        backoff = Math.min(backoff * 2, 10000);
      }
    }
  }

  function restartForeground() {
    state.fgToken += 1;
    if (state.fgAbort) { try { state.fgAbort.abort(); } catch (_) { /* ignore */ } }
    state.fgAbort = null;
    if (state.current) foregroundLoop(state.fgToken, state.current);
  }

  // Cheap sweep over the other members' chats (wait=0) for previews and unread badges.
  async function backgroundLoop() {
    let sweep = 0;
    for (;;) {
      sweep += 1;
      if (sweep % USERS_REFRESH_EVERY === 0) {
        try { setUsers((await api(`${API}/users`)).users); } catch (_) { /* shown by the long poll */ }
      }
      for (const u of state.users) {
        const key = String(u.id);
        if (key === state.current) continue;
        const chat = getChat(key);
        try {
          const data = await api(`${API}/chats/${encodeURIComponent(key)}/messages?since=${chat.rev}&wait=0`);
          if (key !== state.current) applyUpdate(key, data);
        } catch (err) {
          if (err.status === 404 && key !== state.current) applyUpdate(key, { rev: chat.rev, messages: [] });
        }
      }
      await sleep(BG_POLL_INTERVAL);
    }
  }

  function setConnected(ok) {
    if (ok) {
      state.connFailures = 0;
      els.connBanner.hidden = true;
    } else {
      state.connFailures += 1;
      els.connText.textContent = state.connFailures > 3 ? '连接中断，正在重试…' : '连接中…';
      els.connBanner.hidden = false;
    }
  }

  // ───────────────────────── users & selection ─────────────────────────
  function setUsers(list) {
    if (!Array.isArray(list)) return;
    state.users = list.filter((u) => u && u.id !== undefined && u.id !== null);
    state.usersById = new Map(state.users.map((u) => [String(u.id), u]));
    renderMembers();
    if (state.current && state.usersById.has(state.current)) renderHeader();
  }

  async function loadUsers() {
    let backoff = 1000;
    for (;;) {
      try {
        const data = await api(`${API}/users`);
        setUsers(data.users);
        setConnected(true);
        if (state.users.length) return;
      } catch (_) {
        setConnected(false);
        els.membersEmpty.textContent = '无法连接演示服务器，正在重试…';
      }
      await sleep(backoff);
      backoff = Math.min(backoff * 2, 8000);
    }
  }

  function hashUser() {
    const m = /(?:^|[#&])user=([^&]+)/.exec(location.hash);
    return m ? decodeURIComponent(m[1]) : null;
  }

  function select(uid, { fromUser = false } = {}) {
    const key = String(uid);
    if (!state.usersById.has(key)) return false;
    const narrow = window.matchMedia('(max-width: 760px)').matches;
    if (key !== state.current) {
      if (state.current) state.drafts.set(state.current, els.input.value);
      clearAttachment();
      closePopups();
      state.current = key;
      try { localStorage.setItem(LS_USER, key); } catch (_) { /* private mode */ }
      if (hashUser() !== key) history.replaceState(null, '', `#user=${encodeURIComponent(key)}`);
      const chat = getChat(key);
      chat.unread = 0;
      for (const k of memberEls.keys()) updateMemberRow(k);
      updateTitle();
      renderHeader();
      renderChat();
      els.input.value = state.drafts.get(key) || '';
      autoGrow();
      updateSendState();
      restartForeground();
      const waiters = state.readyWaiters.splice(0);
      waiters.forEach((w) => w());
    }
    els.app.classList.add('show-chat');
    if (fromUser && !narrow) els.input.focus();
    return true;
  }

  function whenSelected() {
    if (state.current) return Promise.resolve();
    return new Promise((resolve) => state.readyWaiters.push(resolve));
  }

  function initialSelection() {
    const fromHash = hashUser();
    if (fromHash && select(fromHash)) return;
    if (fromHash) showToast(`未找到成员 ${fromHash}`);
    let stored = null;
    try { stored = localStorage.getItem(LS_USER); } catch (_) { /* ignore */ }
    if (stored && select(stored)) return;
    if (state.users.length) select(state.users[0].id);
    if (window.matchMedia('(max-width: 760px)').matches && !fromHash) {
      els.app.classList.remove('show-chat');
    }
  }

  // ───────────────────────── sending ─────────────────────────
  let sendChain = Promise.resolve();

  function enqueue(task) {
    sendChain = sendChain.then(task, task);
    return sendChain;
  }

  function sendText(text) {
    const clean = text.replace(/^\s+|\s+$/g, '');
    if (!clean) return;
    enqueue(async () => {
      await whenSelected();
      const uid = state.current;
      try {
        const data = await api(`${API}/users/${encodeURIComponent(uid)}/messages`, { method: 'POST', body: { text: clean } });
        if (data && data.message) applyUpdate(uid, { messages: [data.message] }, { advanceRev: false, forceScroll: true });
        else if (uid === state.current) scrollToBottom();
      } catch (err) {
        showToast(`发送失败：${err.message || '网络错误'}`, { error: true });
        if (uid === state.current && !els.input.value) {
          els.input.value = clean;
          autoGrow();
          updateSendState();
        }
      }
    });
  }

  function sendFromComposer() {
    if (state.attachment) { sendAttachment(); return; }
    const text = els.input.value;
    if (!text.trim()) return;
    els.input.value = '';
    autoGrow();
    closePopups();
    updateSendState();
    sendText(text);
  }

  async function pressButton(btn) {
    const msgEl = btn.closest('.msg');
    if (!msgEl || !state.current) return;
    const uid = state.current;
    const messageId = Number(msgEl.dataset.messageId);
    if (btn.dataset.url) {
      window.open(btn.dataset.url, '_blank', 'noopener,noreferrer');
      return;
    }
    if (btn.dataset.data === undefined) {
      showToast('演示中不支持此类按钮');
      return;
    }
    btn.classList.add('pending');
    setTimeout(() => btn.classList.remove('pending'), 4000);
    try {
      await api(`${API}/users/${encodeURIComponent(uid)}/callback`, {
        method: 'POST',
        body: { message_id: messageId, data: btn.dataset.data },
      });
    } catch (err) {
      btn.classList.remove('pending');
      showToast(`操作失败：${err.message || '网络错误'}`, { error: true });
    }
  }

  function clearPendingButtons() {
    els.messages.querySelectorAll('.kb-button.pending').forEach((b) => b.classList.remove('pending'));
  }

  // ───────────────────────── attachments ─────────────────────────
  function setAttachment(file, kind) {
    if (!file) return;
    clearAttachment();
    const isImage = kind === 'photo';
    const url = isImage ? URL.createObjectURL(file) : null;
    state.attachment = { file, kind, url };
    els.attachKind.textContent = isImage ? '发送图片' : '发送文件';
    els.attachName.textContent = `${file.name || '未命名'} · ${fmtSize(file.size)}`;
    els.attachThumb.hidden = !isImage;
    els.attachIcon.hidden = isImage;
    if (isImage) els.attachThumb.src = url;
    els.attachPreview.hidden = false;
    els.input.placeholder = '添加说明（可选）…';
    els.input.setAttribute('maxlength', '1024');
    updateSendState();
    els.input.focus();
  }

  function clearAttachment() {
    const a = state.attachment;
    if (a && a.url) URL.revokeObjectURL(a.url);
    state.attachment = null;
    els.attachPreview.hidden = true;
    els.attachPreview.classList.remove('uploading');
    els.attachThumb.removeAttribute('src');
    els.input.placeholder = '输入消息…';
    els.input.setAttribute('maxlength', '4096');
    updateSendState();
  }

  function fmtSize(n) {
    if (!Number.isFinite(n)) return '';
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  async function sendAttachment() {
    const a = state.attachment;
    if (!a || state.uploading || !state.current) return;
    const uid = state.current;
    const caption = els.input.value.trim();
    const fd = new FormData();
    fd.append('file', a.file, a.file.name || (a.kind === 'photo' ? 'photo.jpg' : 'file'));
    fd.append('kind', a.kind);
    if (caption) fd.append('caption', caption);
    state.uploading = true;
    els.attachPreview.classList.add('uploading');
    els.attachKind.textContent = '正在上传…';
    updateSendState();
    try {
      const data = await api(`${API}/users/${encodeURIComponent(uid)}/files`, { method: 'POST', body: fd });
      if (uid === state.current) {
        els.input.value = '';
        autoGrow();
        clearAttachment();
      }
      if (data && data.message) applyUpdate(uid, { messages: [data.message] }, { advanceRev: false, forceScroll: true });
    } catch (err) {
      showToast(`上传失败：${err.message || '网络错误'}`, { error: true });
      if (state.attachment === a) {
        els.attachPreview.classList.remove('uploading');
        els.attachKind.textContent = a.kind === 'photo' ? '发送图片' : '发送文件';
      }
    } finally {
      state.uploading = false;
      updateSendState();
    }
  }

  // ───────────────────────── composer ─────────────────────────
  function autoGrow() {
    const ta = els.input;
    ta.style.height = 'auto';
    ta.style.height = Math.min(ta.scrollHeight, 160) + 'px';
    ta.classList.toggle('scrolling', ta.scrollHeight > 160);
  }

  function updateSendState() {
    const has = Boolean(els.input.value.trim()) || Boolean(state.attachment);
    els.send.classList.toggle('ready', has && !state.uploading);
    els.send.setAttribute('aria-disabled', String(!has || state.uploading));
  }

  let cmdActive = -1;
  let cmdNavigated = false;
  let cmdItems = [];

  function openCommands(filter, viaButton) {
    const f = (filter || '').toLowerCase();
    cmdItems = COMMANDS.filter(([c]) => !f || c.startsWith(f));
    if (!cmdItems.length || (cmdItems.length === 1 && cmdItems[0][0] === f && !viaButton)) {
      closeCommands();
      return;
    }
    const pop = els.cmdPopup;
    pop.textContent = '';
    pop.appendChild(h('div', 'cmd-head', '常用命令'));
    cmdItems.forEach(([c, d], i) => {
      const b = h('button', 'cmd-item');
      b.type = 'button';
      b.setAttribute('role', 'option');
      b.dataset.command = c;
      b.id = `cmd-opt-${i}`;
      b.append(h('span', 'cmd-name', c), h('span', 'cmd-desc', d));
      pop.appendChild(b);
    });
    cmdActive = -1;
    cmdNavigated = false;
    pop.hidden = false;
    els.cmdButton.setAttribute('aria-expanded', 'true');
    els.cmdButton.classList.add('active');
  }
  function closeCommands() {
    els.cmdPopup.hidden = true;
    els.cmdButton.setAttribute('aria-expanded', 'false');
    els.cmdButton.classList.remove('active');
    cmdActive = -1;
    cmdNavigated = false;
  }
  function highlightCommand(i) {
    const items = els.cmdPopup.querySelectorAll('.cmd-item');
    if (!items.length) return;
    cmdActive = (i + items.length) % items.length;
    items.forEach((b, k) => b.classList.toggle('active', k === cmdActive));
    items[cmdActive].scrollIntoView({ block: 'nearest' });
  }
  function insertCommand(cmd) {
    const v = els.input.value;
    if (!v.trim() || /^\/\S*$/.test(v.trim())) els.input.value = cmd;
    else if (/^\/\S*\s/.test(v)) els.input.value = v.replace(/^\/\S*/, cmd);
    else els.input.value = `${cmd} ${v}`;
    closeCommands();
    autoGrow();
    updateSendState();
    els.input.focus();
    const end = els.input.value.length;
    els.input.setSelectionRange(end, end);
  }

  function closeAttachMenu() {
    els.attachMenu.hidden = true;
    els.attachButton.setAttribute('aria-expanded', 'false');
    els.attachButton.classList.remove('active');
  }
  function closePopups() {
    closeCommands();
    closeAttachMenu();
  }

  // ───────────────────────── toasts & alerts ─────────────────────────
  function showToast(text, { error = false } = {}) {
    const layer = els.toastLayer;
    while (layer.children.length >= 3) layer.firstElementChild.remove();
    const t = h('div', 'toast' + (error ? ' error' : ''), text);
    t.setAttribute('role', 'status');
    layer.appendChild(t);
    requestAnimationFrame(() => t.classList.add('show'));
    const ms = Math.min(6000, 2200 + text.length * 60);
    setTimeout(() => {
      t.classList.remove('show');
      t.classList.add('hide');
      setTimeout(() => t.remove(), 300);
    }, ms);
  }

  let alertReturnFocus = null;
  function showAlert(text) {
    state.alerts.push(text);
    if (els.alertModal.hidden) nextAlert();
  }
  function nextAlert() {
    const text = state.alerts.shift();
    if (text === undefined) {
      els.alertModal.hidden = true;
      if (alertReturnFocus && alertReturnFocus.isConnected) alertReturnFocus.focus();
      alertReturnFocus = null;
      return;
    }
    if (els.alertModal.hidden) alertReturnFocus = document.activeElement;
    els.alertText.textContent = text;
    els.alertModal.hidden = false;
    els.alertOk.focus();
  }

  // ───────────────────────── events ─────────────────────────
  function bindEvents() {
    els.members.addEventListener('click', (e) => {
      const b = e.target.closest('.member');
      if (b) select(b.dataset.userId, { fromUser: true });
    });
    $('back-button').addEventListener('click', () => els.app.classList.remove('show-chat'));

    window.addEventListener('hashchange', () => {
      const uid = hashUser();
      if (uid && uid !== state.current && !select(uid)) showToast(`未找到成员 ${uid}`);
    });

    els.input.addEventListener('keydown', (e) => {
      const popupOpen = !els.cmdPopup.hidden;
      if (popupOpen && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        e.preventDefault();
        cmdNavigated = true;
        highlightCommand(cmdActive + (e.key === 'ArrowDown' ? 1 : -1) + (cmdActive < 0 && e.key === 'ArrowUp' ? 1 : 0));
        return;
      }
      if (popupOpen && e.key === 'Tab') {
        e.preventDefault();
        const item = cmdItems[cmdActive >= 0 ? cmdActive : 0];
        if (item) insertCommand(item[0]);
        return;
      }
      if (e.key === 'Escape') { closePopups(); return; }
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        if (popupOpen && cmdNavigated && cmdActive >= 0 && cmdItems[cmdActive]) {
          insertCommand(cmdItems[cmdActive][0]);
          return;
        }
        sendFromComposer();
      }
    });
    els.input.addEventListener('input', () => {
      autoGrow();
      updateSendState();
      const v = els.input.value;
      if (!state.attachment && /^\/[a-z_]*$/i.test(v)) openCommands(v, false);
      else if (!els.cmdPopup.hidden) closeCommands();
    });
    els.input.addEventListener('paste', (e) => {
      const files = e.clipboardData && e.clipboardData.files;
      if (files && files.length) {
        e.preventDefault();
        const f = files[0];
        setAttachment(f, /^image\//.test(f.type) ? 'photo' : 'document');
      }
    });

    els.send.addEventListener('click', () => {
      sendFromComposer();
      if (!window.matchMedia('(pointer: coarse)').matches) els.input.focus();
    });

    els.cmdButton.addEventListener('click', (e) => {
      e.stopPropagation();
      closeAttachMenu();
      if (els.cmdPopup.hidden) openCommands('', true);
      else closeCommands();
    });
    els.cmdPopup.addEventListener('click', (e) => {
      const b = e.target.closest('.cmd-item');
      if (b) insertCommand(b.dataset.command);
    });
    els.cmdPopup.addEventListener('mousedown', (e) => e.preventDefault()); // keep input focus

    els.attachButton.addEventListener('click', (e) => {
      e.stopPropagation();
      closeCommands();
      const open = els.attachMenu.hidden;
      els.attachMenu.hidden = !open;
      els.attachButton.setAttribute('aria-expanded', String(open));
      els.attachButton.classList.toggle('active', open);
      if (open) $('attach-photo').focus();
    });
    $('attach-photo').addEventListener('click', () => { closeAttachMenu(); els.filePhoto.click(); });
    $('attach-document').addEventListener('click', () => { closeAttachMenu(); els.fileDocument.click(); });
    els.filePhoto.addEventListener('change', () => {
      if (els.filePhoto.files[0]) setAttachment(els.filePhoto.files[0], 'photo');
      els.filePhoto.value = '';
    });
    els.fileDocument.addEventListener('change', () => {
      if (els.fileDocument.files[0]) setAttachment(els.fileDocument.files[0], 'document');
      els.fileDocument.value = '';
    });
    $('attach-cancel').addEventListener('click', () => { clearAttachment(); els.input.focus(); });

    // drag & drop a file onto the chat
    const chatEl = $('chat');
    chatEl.addEventListener('dragover', (e) => {
      if (e.dataTransfer && [...e.dataTransfer.types].includes('Files')) {
        e.preventDefault();
        chatEl.classList.add('dragging');
      }
    });
    chatEl.addEventListener('dragleave', (e) => {
      if (!chatEl.contains(e.relatedTarget)) chatEl.classList.remove('dragging');
    });
    chatEl.addEventListener('drop', (e) => {
      chatEl.classList.remove('dragging');
      const f = e.dataTransfer && e.dataTransfer.files[0];
      if (!f) return;
      e.preventDefault();
      setAttachment(f, /^image\//.test(f.type) ? 'photo' : 'document');
    });

    document.addEventListener('click', (e) => {
      if (!els.cmdPopup.hidden && !e.target.closest('#cmd-popup, #cmd-button')) closeCommands();
      if (!els.attachMenu.hidden && !e.target.closest('#attach-menu, #attach-button')) closeAttachMenu();
    });
    document.addEventListener('keydown', (e) => {
      if (e.key !== 'Escape') return;
      if (!els.lightbox.hidden) closeLightbox();
      else closePopups();
    });

    els.messages.addEventListener('click', (e) => {
      const kb = e.target.closest('.kb-button');
      if (kb) { pressButton(kb); return; }
      const sp = e.target.closest('.spoiler:not(.revealed)');
      if (sp) { e.preventDefault(); sp.classList.add('revealed'); sp.removeAttribute('role'); sp.removeAttribute('tabindex'); return; }
      const cmd = e.target.closest('.cmd-link');
      if (cmd) { sendText(cmd.dataset.command); return; }
      const code = e.target.closest('.code-inline');
      if (code) { copyText(code.textContent); return; }
      const photo = e.target.closest('.photo');
      if (photo && photo.dataset.full && !photo.classList.contains('broken')) openLightbox(photo.dataset.full, photo.querySelector('img').alt);
    });
    els.messages.addEventListener('keydown', (e) => {
      if ((e.key === 'Enter' || e.key === ' ') && e.target.matches('.spoiler:not(.revealed)')) {
        e.preventDefault();
        e.target.click();
      }
    });
    els.messages.addEventListener('scroll', () => updateToBottom(), { passive: true });
    els.toBottom.addEventListener('click', () => scrollToBottom(true));

    els.emptyState.addEventListener('click', (e) => {
      const c = e.target.closest('[data-command]');
      if (c) sendText(c.dataset.command);
    });
    $('start-button').addEventListener('click', () => sendText('/start'));

    els.alertOk.addEventListener('click', nextAlert);
    els.alertModal.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' || e.key === 'Enter') { e.preventDefault(); nextAlert(); }
      if (e.key === 'Tab') { e.preventDefault(); els.alertOk.focus(); }
    });
    els.alertModal.addEventListener('click', (e) => { if (e.target === els.alertModal) nextAlert(); });

    $('lightbox-close').addEventListener('click', closeLightbox);
    els.lightbox.addEventListener('click', (e) => { if (e.target === els.lightbox) closeLightbox(); });

    window.addEventListener('resize', () => { if (isNearBottom()) scrollToBottom(); else updateToBottom(); });
    // Refresh "今天/昨天" labels after midnight.
    setInterval(() => { if (state.current) relayout(); }, 60000);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      showToast('已复制');
    } catch (_) { /* clipboard unavailable: ignore */ }
  }

  function openLightbox(url, alt) {
    els.lightboxImg.src = url;
    els.lightboxImg.alt = alt || '图片';
    els.lightbox.hidden = false;
    $('lightbox-close').focus();
  }
  function closeLightbox() {
    els.lightbox.hidden = true;
    els.lightboxImg.removeAttribute('src');
  }

  // ───────────────────────── start ─────────────────────────
  async function init() {
    bindEvents();
    autoGrow();
    updateSendState();
    await loadUsers();
    initialSelection();
    backgroundLoop();
  }

  init();
})();

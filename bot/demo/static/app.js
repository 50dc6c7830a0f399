/* 清廉助手 · 演示聊天页
 *
 * Plain JS, no build step. Talks to the sandbox control API on the same origin:
 *   GET  /control/users
 *   GET  /control/users/{id}/commands   the command menu the bot published for the member
 *   GET  /control/chats/{id}/messages?since=REV&wait=SECONDS
 *   POST /control/users/{id}/messages   {"text"}
 *   POST /control/users/{id}/callback   {"message_id", "data"}
 *   POST /control/users/{id}/files      multipart: file, kind (photo|document), caption?
 * and to the demo's own GET /demo/api/members (each member's language and roles in the bot).
 * All message text is inserted with text nodes / textContent, never as HTML.
 */
(() => {
  'use strict';

  const API = '/control';
  const LS_USER = 'qinglian-demo:user';
  const LS_GUIDE = 'qinglian-demo:guide';   // 'closed' once the walkthrough was dismissed
  const LONG_POLL_WAIT = 20;        // seconds, server caps at 25
  const BG_POLL_INTERVAL = 3000;    // ms between sweeps of the other members' chats
  const USERS_REFRESH_EVERY = 5;    // sweeps
  const NEAR_BOTTOM_PX = 120;

  // The page's own words, in the language the chosen member picked in /settings (the bot's
  // messages come from the bot). {name} placeholders are filled by tr().
  const STRINGS = {
    zh: {
      title: '清廉助手 · 演示',
      sidebar_label: '演示身份',
      brand_tag: '演示',
      brand_sub: 'Telegram 机器人体验页',
      hint: '以不同身份体验：干部答题、提交匿名反映，纪检监察组处理反映，领导查看周报。',
      members_title: '选择体验身份',
      members_label: '演示成员',
      members_loading: '正在加载成员…',
      members_none: '暂无演示成员，等待服务器添加…',
      members_unreachable: '无法连接演示服务器，正在重试…',
      sidebar_foot: '数据仅保存在本机的模拟 Telegram 服务器中，可放心尝试。',
      chat_label: '聊天',
      drop: '松开以添加附件',
      back: '返回身份列表',
      bot_badge: '机器人',
      choose_member: '请选择左侧的体验身份',
      sub_wide: '廉政学习与提醒 · 私聊',
      sub_narrow: '当前身份：{label} · {name}',
      sub_title: '你正以「{label} · {name}」的身份与机器人私聊',
      whoami: '当前身份',
      connecting: '连接中…',
      conn_lost: '连接中断，正在重试…',
      messages_label: '消息',
      empty_text: '廉政学习与提醒助手：纪律规矩自测、节前廉洁提醒、匿名反映问题、每周廉政周报。',
      empty_start: '开始使用 /start',
      to_bottom: '滚动到最新消息',
      menu_label: '命令菜单',
      menu_head: '菜单',
      menu_empty: '机器人还没有为你设置命令菜单。',
      attach_photo: '图片',
      attach_document: '文件',
      attach_button: '发送图片或文件',
      attach_preview: '待发送图片预览',
      attach_cancel: '取消附件',
      placeholder: '输入消息…',
      placeholder_caption: '添加说明（可选）…',
      input_label: '输入消息',
      send: '发送',
      send_title: '发送（Enter）',
      composer_tip: 'Enter 发送 · Shift+Enter 换行 · 输入 / 查看命令菜单',
      alert_ok: '确定',
      lightbox_close: '关闭图片',
      today: '今天',
      yesterday: '昨天',
      user_n: '用户 {id}',
      member: '成员',
      edited: '已编辑',
      photo_tag: '[图片]',
      file_tag: '[文件]',
      file: '文件',
      view_photo: '查看大图',
      photo: '图片',
      photo_caption: '图片：{caption}',
      photo_failed: '图片加载失败',
      download: '下载',
      download_name: '下载 {name}',
      unsupported_message: '［暂不支持显示的消息］',
      keyboard_label: '消息按钮',
      unsupported_button: '演示中不支持此类按钮',
      loading_chat: '正在加载聊天记录…',
      no_messages: '暂无消息，点此开始体验',
      me_prefix: '我：',
      unread: '，{n} 条未读消息',
      member_not_found: '未找到成员 {id}',
      send_unreachable: '没有发出：连不上演示服务器。请确认 python -m bot demo 仍在运行，再试一次。',
      send_refused: '没有发出：演示服务器拒绝了这条消息（{status}）。',
      press_unreachable: '按钮没有生效：连不上演示服务器。请确认 python -m bot demo 仍在运行。',
      press_refused: '按钮没有生效：演示服务器拒绝了这次操作（{status}）。',
      upload_unreachable: '没有上传：连不上演示服务器。请确认 python -m bot demo 仍在运行。',
      upload_refused: '没有上传：演示服务器拒绝了这个文件（{status}）。',
      uploading: '正在上传…',
      send_photo: '发送图片',
      send_file: '发送文件',
      untitled: '未命名',
      copied: '已复制',
      click_copy: '点击复制',
      spoiler: '隐藏内容，点击显示',
      send_cmd: '发送 {cmd}',
      bad_response: '服务器的回答无法识别',
      guide_open: '导览',
      guide_open_title: '打开上手导览',
      guide_title: '上手导览',
      guide_close: '收起导览',
      guide_dismiss: '知道了',
      guide_reopen: '随时点右上角的“导览”重新打开。',
      guide_intro: '清廉助手是一个 Telegram 机器人，这里用模拟的 Telegram 体验它。点名字切换身份；点命令，就以该步骤的身份把命令发出去。',
      guide_you: '你现在是 {member}',
      guide_journeys: '四条体验路线',
      member_chip: '{name}（{label}）',
    },
    en: {
      title: 'Qinglian assistant · demo',
      sidebar_label: 'Demo members',
      brand_tag: 'Demo',
      brand_sub: 'The Telegram bot in your browser',
      hint: 'Act as different members: staff take quizzes and report problems anonymously, discipline inspection handles the reports, leaders read the weekly digest.',
      members_title: 'Choose who you are',
      members_label: 'Demo members',
      members_loading: 'Loading the members…',
      members_none: 'No demo members yet; waiting for the server…',
      members_unreachable: 'Cannot reach the demo server; trying again…',
      sidebar_foot: 'Everything stays in a simulated Telegram server on this computer: try anything.',
      chat_label: 'Chat',
      drop: 'Drop to attach',
      back: 'Back to the members',
      bot_badge: 'bot',
      choose_member: 'Choose a member on the left',
      sub_wide: 'Integrity learning and reminders · private chat',
      sub_narrow: 'You are: {label} · {name}',
      sub_title: 'You are chatting with the bot as {label} · {name}',
      whoami: 'You are',
      connecting: 'Connecting…',
      conn_lost: 'Connection lost; trying again…',
      messages_label: 'Messages',
      empty_text: 'Integrity assistant: self-check quizzes on discipline rules, holiday integrity reminders, anonymous reports, a weekly digest.',
      empty_start: 'Start with /start',
      to_bottom: 'Scroll to the newest message',
      menu_label: 'Command menu',
      menu_head: 'Menu',
      menu_empty: 'The bot has not set a command menu for you yet.',
      attach_photo: 'Photo',
      attach_document: 'File',
      attach_button: 'Send a photo or a file',
      attach_preview: 'Preview of the photo to send',
      attach_cancel: 'Remove the attachment',
      placeholder: 'Message…',
      placeholder_caption: 'Add a caption (optional)…',
      input_label: 'Message',
      send: 'Send',
      send_title: 'Send (Enter)',
      composer_tip: 'Enter sends · Shift+Enter for a new line · type / for the command menu',
      alert_ok: 'OK',
      lightbox_close: 'Close the picture',
      today: 'Today',
      yesterday: 'Yesterday',
      user_n: 'User {id}',
      member: 'Member',
      edited: 'edited',
      photo_tag: '[Photo]',
      file_tag: '[File]',
      file: 'File',
      view_photo: 'View the picture',
      photo: 'Picture',
      photo_caption: 'Picture: {caption}',
      photo_failed: 'The picture did not load',
      download: 'Download',
      download_name: 'Download {name}',
      unsupported_message: '[This kind of message cannot be shown]',
      keyboard_label: 'Message buttons',
      unsupported_button: 'This kind of button does not work in the demo',
      loading_chat: 'Loading the chat…',
      no_messages: 'No messages yet: tap to start',
      me_prefix: 'Me: ',
      unread: ', {n} unread',
      member_not_found: 'No member {id}',
      send_unreachable: 'Not sent: the demo server cannot be reached. Check that python -m bot demo is still running, then try again.',
      send_refused: 'Not sent: the demo server refused the message ({status}).',
      press_unreachable: 'The button did nothing: the demo server cannot be reached. Check that python -m bot demo is still running.',
      press_refused: 'The button did nothing: the demo server refused it ({status}).',
      upload_unreachable: 'Not uploaded: the demo server cannot be reached. Check that python -m bot demo is still running.',
      upload_refused: 'Not uploaded: the demo server refused the file ({status}).',
      uploading: 'Uploading…',
      send_photo: 'Send a photo',
      send_file: 'Send a file',
      untitled: 'untitled',
      copied: 'Copied',
      click_copy: 'Click to copy',
      spoiler: 'Hidden text: click to show',
      send_cmd: 'Send {cmd}',
      bad_response: 'The server gave an answer the page cannot read',
      guide_open: 'Guide',
      guide_open_title: 'Open the guided tour',
      guide_title: 'Guided tour',
      guide_close: 'Close the guide',
      guide_dismiss: 'Got it',
      guide_reopen: 'Reopen it any time with "Guide" at the top right.',
      guide_intro: '清廉助手 (Qinglian assistant) is a Telegram bot; here you try it in a simulated Telegram. Click a name to become that member; click a command to send it as the member of that step.',
      guide_you: 'You are {member}',
      guide_journeys: 'Four journeys',
      member_chip: '{name} ({label})',
    },
  };

  // The walkthrough. In a step, {@role} is a member to pick and {/command} a command the
  // step's member (`as`) sends; roles: admin, leader, reviewer, cadre, cadre2 (a second
  // cadre). The role tips list commands the member's menu may offer; the page shows only
  // those the bot's menu for that member really has.
  const GUIDE = {
    zh: {
      journeys: [
        { title: '① 纪律规矩自测', steps: [
          { as: 'cadre', text: '选 {@cadre}，发送 {/quiz}，选一个题库逐题作答：每题答完都显示对错、正确答案、解析和出处。' },
          { as: 'cadre', text: '答完后发送 {/review} 复习错题，发送 {/me} 查看自己的学习记录。' },
        ] },
        { title: '② 匿名反映 → 纪检监察组处理', steps: [
          { as: 'cadre', text: '{@cadre} 发送 {/report}：选类别和被反映的单位，写下情况（至少 20 字），确认提交，记下查询码。' },
          { as: 'reviewer', text: '切换到 {@reviewer}：一分钟内会收到新反映的汇总通知（正式运行时每小时整点一次），也可以直接发送 {/reports}，打开反映、改状态、写内部备注、回复反映人。' },
          { as: 'cadre', text: '回到 {@cadre}，发送 {/status}，再发送查询码，查看办理状态和回复。' },
        ] },
        { title: '③ 群发通知 → 已阅知悉', steps: [
          { as: 'admin', text: '{@admin} 发送 {/broadcast}，写一条通知，选“全体成员”，看过预览后确认发送。' },
          { as: 'cadre2', text: '切换到 {@cadre2}，在通知下点“已阅知悉”。' },
          { as: 'admin', text: '回到 {@admin}：发送进度已变成发送报告。' },
        ] },
        { title: '④ 每周廉政周报', steps: [
          { as: 'leader', text: '{@leader} 发送 {/digest}，选“本周”或“上周”：参与率和平均分（分部门，与上周比较）、薄弱知识点、提醒知悉率、反映数量，另附图表。' },
        ] },
      ],
      tips: {
        admin: { tip: '管理员可以邀请成员、调整角色、群发通知、布置专项测试，查看提醒计划和重新加载内容。', cmds: ['/members', '/invite', '/broadcast', '/assign', '/plan', '/reload'] },
        reviewer: { tip: '纪检监察组查看和处理匿名反映：改状态、写内部备注、回复反映人。', cmds: ['/reports', '/help'] },
        leader: { tip: '领导查看每周廉政周报：参与率、平均分、薄弱知识点和提醒知悉率。', cmds: ['/digest', '/help'] },
        visitor: { tip: '还没有加入单位。管理员用 /invite 生成邀请后，发送 /start 加邀请码即可加入。', cmds: ['/start', '/help'] },
        cadre: { tip: '干部可以答题自测、复习错题、匿名反映问题。', cmds: ['/quiz', '/review', '/me', '/report', '/settings'] },
      },
    },
    en: {
      journeys: [
        { title: '① Self-check quiz', steps: [
          { as: 'cadre', text: 'Pick {@cadre} and send {/quiz}; choose a bank and answer: after each question you see whether you were right, the answer, why, and the source.' },
          { as: 'cadre', text: 'Then send {/review} to go over your mistakes, and {/me} for your record.' },
        ] },
        { title: '② Anonymous report → discipline inspection', steps: [
          { as: 'cadre', text: '{@cadre} sends {/report}: choose a category and the unit concerned, describe the problem (at least 20 characters), submit, and note the receipt code.' },
          { as: 'reviewer', text: 'Switch to {@reviewer}: a notice of new reports arrives within a minute (hourly, at the full hour, when the bot runs for real), or send {/reports} now; open the report, change its status, add a note, reply to the reporter.' },
          { as: 'cadre', text: 'Back as {@cadre}, send {/status} and then the receipt code to see the status and the reply.' },
        ] },
        { title: '③ Broadcast → acknowledge', steps: [
          { as: 'admin', text: '{@admin} sends {/broadcast}, writes a notice, chooses everyone ("全体成员", or "All members" in English), checks the preview and sends it.' },
          { as: 'cadre2', text: 'Switch to {@cadre2} and press the acknowledge button under the notice ("已阅知悉", or "Read and noted" in English).' },
          { as: 'admin', text: 'Back as {@admin}: the progress message has become the delivery report.' },
        ] },
        { title: '④ Weekly digest', steps: [
          { as: 'leader', text: '{@leader} sends {/digest} and picks this week or last week: participation and average score (by department, against last week), the weakest topics, the reminder acknowledgement rate, report counts, and a chart.' },
        ] },
      ],
      tips: {
        admin: { tip: 'Admins invite members, change roles, broadcast notices, assign tests, check the reminder plan and reload the content.', cmds: ['/members', '/invite', '/broadcast', '/assign', '/plan', '/reload'] },
        reviewer: { tip: 'Discipline inspection reads and handles the anonymous reports: status, internal notes, replies to the reporter.', cmds: ['/reports', '/help'] },
        leader: { tip: 'Leaders read the weekly digest: participation, average scores, weakest topics and reminder acknowledgements.', cmds: ['/digest', '/help'] },
        visitor: { tip: 'Not joined yet. Once an admin has made an invite with /invite, send /start with the invite code to join.', cmds: ['/start', '/help'] },
        cadre: { tip: 'Staff take self-check quizzes, review their mistakes and report problems anonymously.', cmds: ['/quiz', '/review', '/me', '/report', '/settings'] },
      },
    },
  };

  let lang = 'zh';
  function tr(key, vars) {
    const table = STRINGS[lang] || STRINGS.zh;
    let text = key in table ? table[key] : STRINGS.zh[key];
    if (text === undefined) return key;
    if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
    return text;
  }

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
    if (diff === 0) return tr('today');
    if (diff === 1) return tr('yesterday');
    const sameYear = d.getFullYear() === now.getFullYear();
    if (lang === 'en') {
      const opts = sameYear ? { day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' };
      return d.toLocaleDateString('en-GB', opts);
    }
    if (sameYear) return `${d.getMonth() + 1}月${d.getDate()}日`;
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
    if (!last) return first || (u.username ? '@' + u.username : tr('user_n', { id: u.id }));
    // Chinese names read without a space.
    const cjk = /[\u3400-\u9fff]/;
    return cjk.test(first) || cjk.test(last) ? first + last : `${first} ${last}`;
  }
  // Labels and roles as the bot has them now (GET /demo/api/members), else the sandbox's label.
  function profile(u) { return u ? state.profiles.get(String(u.id)) : undefined; }
  function userLabel(u) {
    const p = profile(u);
    if (p && p.label && p.label[lang]) return p.label[lang];
    return (u && u.label) || tr('member');
  }
  function userRole(u) {
    const p = profile(u);
    if (p && p.role) return p.role;
    const l = labelRole(u && u.label);
    if (/管理员|admin/i.test(l)) return 'admin';
    if (/纪检|监察|审核|review/i.test(l)) return 'reviewer';
    if (/领导|局长|主任|leader/i.test(l)) return 'leader';
    if (/访客|尚未|guest|visitor/i.test(l)) return 'visitor';
    return 'cadre';
  }
  // The role is the label's first part: "干部 · 安全生产监督管理科" is a 干部, not a 管理员.
  function labelRole(label) {
    return String(label || '').trim().split(/\s*[·・|｜/（(，,]\s*|\s+/)[0] || '';
  }
  const ROLE_CLASS = { admin: 'role-admin', reviewer: 'role-review', leader: 'role-leader', cadre: 'role-staff' };
  function roleClass(u) { return ROLE_CLASS[userRole(u)] || 'role-other'; }
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
    if (data === null) throw new Error(tr('bad_response'));
    return data;
  }

  // What a failed request means to the person using the page: the server cannot be reached
  // (fetch rejects with a TypeError such as "Failed to fetch"), or it refused the request.
  function failure(kind, err) {
    if (err && err.status) return tr(`${kind}_refused`, { status: err.status });
    return tr(`${kind}_unreachable`);
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
    profiles: new Map(),    // String(id) -> {language, role, label: {zh, en}} from the bot
    menus: new Map(),       // String(id) -> [{command, description}] the bot published
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
    guide: $('guide'),
    guideBody: $('guide-body'),
    guideButton: $('guide-button'),
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
          b.title = tr('send_cmd', { cmd: m[1] });
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
      case 'code': node = h('code', 'code-inline'); node.title = tr('click_copy'); break;
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
        node.setAttribute('aria-label', tr('spoiler'));
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
        node.title = tr('send_cmd', { cmd: segment });
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
    if (m.photo) return body ? `${tr('photo_tag')} ${body}` : tr('photo_tag');
    if (m.document) return `${tr('file_tag')} ${body || m.document.file_name || ''}`.trim();
    return body;
  }

  function metaElement(m) {
    const meta = h('span', 'meta');
    if (m.edit_date) meta.appendChild(h('span', 'edited', tr('edited')));
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
    return m ? m[1].toUpperCase() : tr('file');
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
      btn.setAttribute('aria-label', tr('view_photo'));
      const img = h('img');
      img.alt = caption ? tr('photo_caption', { caption: caption.slice(0, 80) }) : tr('photo');
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
        img.alt = tr('photo_failed');
      });
      img.src = url;
      btn.appendChild(img);
      if (!hasBody) btn.appendChild(metaElement(m));
      bubble.appendChild(btn);
      if (!hasBody) bubble.classList.add('photo-only');
    }

    if (m.document) {
      const d = m.document;
      const name = d.file_name || tr('file');
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
        ico.setAttribute('aria-label', tr('download_name', { name }));
        const a = h('a', 'doc-link', tr('download'));
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
      body.appendChild(h('span', 'unsupported', tr('unsupported_message')));
      body.appendChild(metaElement(m));
      bubble.appendChild(body);
    }
    col.appendChild(bubble);

    const kb = m.reply_markup && Array.isArray(m.reply_markup.inline_keyboard) ? m.reply_markup.inline_keyboard : null;
    if (kb && kb.length) {
      const wrap = h('div', 'keyboard');
      wrap.setAttribute('role', 'group');
      wrap.setAttribute('aria-label', tr('keyboard_label'));
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
            btn.title = tr('unsupported_button');
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
      loading.appendChild(h('span', '', tr('loading_chat')));
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
  }

  // ───────────────────────── members list ─────────────────────────
  const memberEls = new Map();   // String(id) -> {li, button, name, label, time, preview, badge, avatar}

  function renderMembers() {
    const seen = new Set();
    els.membersEmpty.hidden = state.users.length > 0;
    if (!state.users.length) els.membersEmpty.textContent = tr('members_none');
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
      m.label.className = 'label-chip ' + roleClass(u);
      setText(m.avatar, avatarChar(u));
      m.avatar.className = 'avatar ' + roleClass(u);
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
    let preview = last ? messagePreview(last) : (chat.loaded ? tr('no_messages') : '');
    if (last && !last.from_bot) preview = tr('me_prefix') + preview;
    setText(m.preview, preview);
    setText(m.time, last ? fmtListTime(last.date) : '');
    const n = active ? 0 : chat.unread;
    m.badge.hidden = n <= 0;
    setText(m.badge, n > 99 ? '99+' : String(n));
    m.button.setAttribute('aria-label',
      `${userLabel(u)} ${userName(u)}${n > 0 ? tr('unread', { n }) : ''}`);
  }

  function updateTitle() {
    let total = 0;
    for (const [key, c] of state.chats) if (key !== state.current) total += c.unread;
    document.title = (total > 0 ? `(${total}) ` : '') + tr('title');
  }

  function renderHeader() {
    const u = state.usersById.get(state.current);
    if (!u) {
      els.chatSub.textContent = tr('choose_member');
      els.whoami.hidden = true;
      return;
    }
    const lbl = userLabel(u);
    els.chatSub.textContent = '';
    els.chatSub.append(
      h('span', 'sub-wide', tr('sub_wide')),
      h('span', 'sub-narrow', tr('sub_narrow', { label: lbl, name: userName(u) })),
    );
    els.chatSub.title = tr('sub_title', { label: lbl, name: userName(u) });
    els.whoami.hidden = false;
    els.whoamiLabel.textContent = lbl;
    els.whoamiLabel.className = 'label-chip ' + roleClass(u);
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
      if (changed.length && !firstLoad) refreshSoon();
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
      // Another member's action may change this one's roles (an admin grants one): look again.
      await loadProfiles();
      await loadMenu(state.current);
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
      els.connText.textContent = state.connFailures > 3 ? tr('conn_lost') : tr('connecting');
      els.connBanner.hidden = false;
    }
  }

  // ───────────────────────── the bot's view: language, roles, menus ─────────────────────────
  async function loadProfiles() {
    try {
      const data = await api('/demo/api/members');
      for (const p of data.members || []) state.profiles.set(String(p.id), p);
    } catch (_) { return; /* the bot is starting, or the page is served without it */ }
    const current = state.profiles.get(state.current);
    if (!applyLanguage(current && current.language)) {
      renderMembers();
      if (state.current) renderHeader();
    }
    renderGuide();
  }

  async function loadMenu(uid) {
    if (!uid) return;
    try {
      const data = await api(`${API}/users/${encodeURIComponent(uid)}/commands`);
      state.menus.set(uid, Array.isArray(data.commands) ? data.commands : []);
    } catch (_) { return; }
    if (uid !== state.current) return;
    if (cmdFilter) openCommands(cmdFilter.filter, cmdFilter.viaButton);
    renderGuide();
  }

  // The member's language or roles change with what happens in their chat (/settings, a
  // role granted): look again shortly after the chat on screen changed.
  let refreshTimer = null;
  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => { loadProfiles(); loadMenu(state.current); }, 300);
  }

  function pageLanguage(code) { return code === 'en' ? 'en' : 'zh'; }

  // Switch the page's own words; true if the language changed (everything was redrawn).
  function applyLanguage(code) {
    const next = pageLanguage(code);
    if (next === lang) return false;
    lang = next;
    document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
    applyStaticTexts();
    els.input.placeholder = state.attachment ? tr('placeholder_caption') : tr('placeholder');
    renderMembers();
    renderHeader();
    if (state.current) renderChat();
    if (cmdFilter) openCommands(cmdFilter.filter, cmdFilter.viaButton);
    guideSignature = '';
    renderGuide();
    return true;
  }

  function applyStaticTexts() {
    document.querySelectorAll('[data-i18n]').forEach((n) => { n.textContent = tr(n.dataset.i18n); });
    const attrs = [['i18nAriaLabel', 'aria-label'], ['i18nTitle', 'title'], ['i18nAlt', 'alt']];
    for (const [key, attr] of attrs) {
      const selector = `[data-${key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}]`;
      document.querySelectorAll(selector).forEach((n) => n.setAttribute(attr, tr(n.dataset[key])));
    }
    document.querySelectorAll('[data-i18n-data-drop]').forEach((n) => { n.dataset.drop = tr(n.dataset.i18nDataDrop); });
    updateTitle();
  }

  // ───────────────────────── walkthrough ─────────────────────────
  const guideExpanded = new Set([0]);   // journeys shown open
  let guideSignature = '';

  function guideRemembersClosed() {
    try { return localStorage.getItem(LS_GUIDE) === 'closed'; } catch (_) { return false; }
  }

  function setGuideOpen(open, { remember = true } = {}) {
    els.guide.hidden = !open;
    els.guideButton.setAttribute('aria-expanded', String(open));
    els.guideButton.classList.toggle('active', open);
    if (remember) {
      try { localStorage.setItem(LS_GUIDE, open ? 'open' : 'closed'); } catch (_) { /* private mode */ }
    }
    if (open) { guideSignature = ''; renderGuide(); }
  }

  // The demo member who plays a role in the journeys (cadre2: a second cadre, if there is one).
  function memberForRole(role) {
    const wanted = role === 'cadre2' ? 'cadre' : role;
    const matches = state.users.filter((u) => userRole(u) === wanted);
    return role === 'cadre2' ? matches[1] || matches[0] : matches[0];
  }

  function memberChip(u) {
    const b = h('button', 'guide-member', tr('member_chip', { name: userName(u), label: userLabel(u) }));
    b.type = 'button';
    b.dataset.userId = String(u.id);
    return b;
  }

  function commandChip(cmd, u) {
    const b = h('button', 'chip', cmd);
    b.type = 'button';
    b.dataset.command = cmd;
    if (u) b.dataset.as = String(u.id);
    const known = (state.menus.get(u ? String(u.id) : state.current) || []).find((c) => '/' + c.command === cmd);
    b.title = known ? `${cmd} — ${known.description}` : tr('send_cmd', { cmd });
    return b;
  }

  // "{@cadre} sends {/report}: …" → text with a member chip and a command chip.
  function fillStep(node, step) {
    const actor = memberForRole(step.as);
    for (const part of step.text.split(/(\{[@/][a-z0-9_]+\})/)) {
      const m = /^\{([@/])([a-z0-9_]+)\}$/.exec(part);
      if (!m) { if (part) node.appendChild(document.createTextNode(part)); continue; }
      if (m[1] === '/') { node.appendChild(commandChip('/' + m[2], actor)); continue; }
      const u = memberForRole(m[2]);
      node.appendChild(u ? memberChip(u) : document.createTextNode(m[2]));
    }
  }

  function renderGuide() {
    if (!els.guide || els.guide.hidden) return;
    const u = state.usersById.get(state.current);
    const menu = menuItems().map(([c]) => c);
    const signature = JSON.stringify([lang, state.current, menu,
      state.users.map((x) => [x.id, userName(x), userLabel(x), userRole(x)])]);
    if (signature === guideSignature) return;   // unchanged: keep focus and scroll
    guideSignature = signature;
    const g = GUIDE[lang] || GUIDE.zh;
    const body = els.guideBody;
    body.textContent = '';
    body.appendChild(h('p', 'guide-intro', tr('guide_intro')));
    if (u) {
      // The role tip of the member on screen, with the commands their menu really has.
      const you = h('div', 'guide-you');
      you.appendChild(h('div', 'guide-you-title',
        tr('guide_you', { member: tr('member_chip', { name: userName(u), label: userLabel(u) }) })));
      const tip = g.tips[userRole(u)] || g.tips.cadre;
      you.appendChild(h('p', 'role-tip', tip.tip));
      const chips = h('div', 'chips');
      for (const cmd of tip.cmds) if (menu.includes(cmd)) chips.appendChild(commandChip(cmd, u));
      if (chips.childElementCount) you.appendChild(chips);
      body.appendChild(you);
    }
    body.appendChild(h('h3', 'guide-sub', tr('guide_journeys')));
    g.journeys.forEach((journey, i) => {
      const details = h('details', 'journey');
      details.open = guideExpanded.has(i);
      details.addEventListener('toggle', () => {
        if (details.open) guideExpanded.add(i); else guideExpanded.delete(i);
      });
      details.appendChild(h('summary', '', journey.title));
      const steps = h('ol', 'journey-steps');
      for (const step of journey.steps) {
        const li = h('li');
        fillStep(li, step);
        steps.appendChild(li);
      }
      details.appendChild(steps);
      body.appendChild(details);
    });
  }

  function bindGuide() {
    els.guideButton.addEventListener('click', () => setGuideOpen(els.guide.hidden));
    $('guide-close').addEventListener('click', () => setGuideOpen(false));
    $('guide-dismiss').addEventListener('click', () => setGuideOpen(false));
    els.guideBody.addEventListener('click', (e) => {
      const who = e.target.closest('.guide-member');
      if (who) { select(who.dataset.userId, { fromUser: true }); return; }
      const chip = e.target.closest('.chip[data-command]');
      if (!chip) return;
      if (chip.dataset.as && chip.dataset.as !== state.current) select(chip.dataset.as, { fromUser: true });
      sendText(chip.dataset.command);
      // On a phone the guide covers the chat: step aside to show the answer (not remembered).
      if (window.matchMedia('(max-width: 760px)').matches) setGuideOpen(false, { remember: false });
    });
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
        els.membersEmpty.textContent = tr('members_unreachable');
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
      if (!applyLanguage((state.profiles.get(key) || {}).language)) renderGuide();
      loadMenu(key);
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
    if (fromHash) showToast(tr('member_not_found', { id: fromHash }));
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
        showToast(failure('send', err), { error: true });
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
      showToast(tr('unsupported_button'));
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
      showToast(failure('press', err), { error: true });
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
    els.attachKind.textContent = isImage ? tr('send_photo') : tr('send_file');
    els.attachName.textContent = `${file.name || tr('untitled')} · ${fmtSize(file.size)}`;
    els.attachThumb.hidden = !isImage;
    els.attachIcon.hidden = isImage;
    if (isImage) els.attachThumb.src = url;
    els.attachPreview.hidden = false;
    els.input.placeholder = tr('placeholder_caption');
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
    els.input.placeholder = tr('placeholder');
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
    els.attachKind.textContent = tr('uploading');
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
      showToast(failure('upload', err), { error: true });
      if (state.attachment === a) {
        els.attachPreview.classList.remove('uploading');
        els.attachKind.textContent = a.kind === 'photo' ? tr('send_photo') : tr('send_file');
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

  // The member's command menu as the bot published it (setMyCommands), like Telegram's "/".
  function menuItems() {
    const menu = state.menus.get(state.current) || [];
    return menu.map((c) => ['/' + c.command, c.description]);
  }

  let cmdFilter = null;   // what the open popup was opened with, to redraw it when the menu loads
  function openCommands(filter, viaButton) {
    const f = (filter || '').toLowerCase();
    const all = menuItems();
    cmdItems = all.filter(([c]) => !f || c.startsWith(f));
    const pop = els.cmdPopup;
    if (!all.length && viaButton) {
      pop.textContent = '';
      pop.appendChild(h('div', 'cmd-head', tr('menu_head')));
      pop.appendChild(h('div', 'cmd-empty', tr('menu_empty')));
      cmdFilter = { filter, viaButton };
      pop.hidden = false;
      els.cmdButton.setAttribute('aria-expanded', 'true');
      els.cmdButton.classList.add('active');
      return;
    }
    if (!cmdItems.length || (cmdItems.length === 1 && cmdItems[0][0] === f && !viaButton)) {
      closeCommands();
      return;
    }
    cmdFilter = { filter, viaButton };
    pop.textContent = '';
    pop.appendChild(h('div', 'cmd-head', tr('menu_head')));
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
    cmdFilter = null;
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
      if (uid && uid !== state.current && !select(uid)) showToast(tr('member_not_found', { id: uid }));
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
    // Refresh the today/yesterday labels after midnight.
    setInterval(() => { if (state.current) relayout(); }, 60000);
  }

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      showToast(tr('copied'));
    } catch (_) { /* clipboard unavailable: ignore */ }
  }

  function openLightbox(url, alt) {
    els.lightboxImg.src = url;
    els.lightboxImg.alt = alt || tr('photo');
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
    bindGuide();
    applyStaticTexts();
    autoGrow();
    updateSendState();
    await loadUsers();
    await loadProfiles();
    initialSelection();
    setGuideOpen(!guideRemembersClosed(), { remember: false });
    backgroundLoop();
  }

  init();
})();

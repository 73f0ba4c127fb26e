import type { Notification, Notifier } from '../notify/notification.js'

/** A notifier that keeps what it is given, in order: the fake of the Notifier port. */
export class RecordingNotifier implements Notifier {
  readonly received: Notification[] = []

  notify(notification: Notification): void {
    this.received.push(notification)
  }

  /** What it got, as `kind session title: body` lines (easy to compare). */
  lines(): string[] {
    return this.received.map((n) => `${n.kind} ${n.session.id} ${n.title}: ${n.body}`)
  }
}

// The SMTP capture the tests start (a real smtp-server on loopback); kept in libs/testing so the demo uses it too.
export { CapturedMail, extractLink, SmtpCapture, startSmtpCapture } from '@app/testing';

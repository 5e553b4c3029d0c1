// The task queue the worker polls and every client starts runs on, unless KYC_TASK_QUEUE says otherwise.
export const defaultTaskQueue = 'kyc';

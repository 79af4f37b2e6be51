// Product names shown in the frame and the browser title.
export const appTitle = '法治政府建设综合管理平台'
export const appShortTitle = '法治'
